package fdht.kernels.model;

import fdht.kernels.lstm.LstmStack;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Many live streams through one model, a frame at a time, their frames stepped together: Triton's
 * sequence batcher in the library. Each stream ({@link #open}) has an id and its own {@code h} and
 * {@code c} for every layer, kept in a slot of the batcher's native state; its frames ({@link
 * Stream#offer}) wait in a bounded queue; stepper threads take the streams that have a frame
 * waiting, oldest first, in groups of up to {@code maxBatch}, and step each group one frame (a
 * group forms when {@code maxBatch} streams have a frame waiting or when the oldest waiting frame
 * has waited {@code maxDelay}). Each frame's output goes to the stream's {@link FrameListener}, in
 * push order.
 *
 * <pre>{@code
 * try (SequenceBatcher batcher = model.newBatcher(SequenceBatcher.Options.DEFAULT)) {
 *     SequenceBatcher.Stream camera = batcher.open(7, listener);
 *     camera.push(frame);          // N_x floats; listener.onOutput(7, 0, logits, null, false)
 *     camera.push(next, true);     // the last frame: its output, then listener.onEnd(7, 2)
 * }
 * }</pre>
 *
 * <p>Results: a stream's outputs are, bit for bit, what a {@link Predictor} gives for the frames
 * pushed so far run as one clip (the kernels' row sums do not depend on the batch). Limits: at most
 * {@code maxStreams} open (one more is refused, or waits, as {@link Options#whenFull} says); at
 * most {@code queuePerStream} frames waiting per stream and {@code maxQueued} in all ({@link
 * Stream#offer} returns false beyond: refused, never dropped); a stream that pushes nothing for
 * {@code idleTimeout} with nothing waiting is ended ({@link FrameListener#onExpired}); a frame of
 * the wrong size or holding NaN or infinity (under the model's {@code REJECT} policy) fails its own
 * stream only. One-direction models only ({@link Model#streamable()}).
 *
 * <p>Cost: memory for {@code maxStreams x L x 2H} floats of state, up to {@code maxQueued} frames
 * (allocated as the backlog first grows) and each stepper's buffers for one chunk of the kernels'
 * lanes (or one group, for layers without the batch-lanes path) with a workspace per piece size;
 * per frame a copy in at the push ({@link Stream#offerInPlace} saves it), a copy into the group,
 * the projection, {@code O(L*H)} to gather and scatter its state, and no heap allocation at steady
 * state. Thread safety: every method may be called from any thread; one lock guards the queues (a
 * push takes it twice, briefly: its copy and check run outside it).
 */
public final class SequenceBatcher implements AutoCloseable {
    /** What {@link #open} does when {@code maxStreams} streams are open. */
    public enum WhenFull {
        /** Throw {@link IllegalStateException} at once, naming the limit. */
        REFUSE,
        /** Wait up to {@link Options#openWait} for a slot, then throw. */
        WAIT
    }

    /**
     * How a batcher runs. Immutable; {@code withX} methods return changed copies.
     *
     * @param maxStreams streams open at once (default 1024)
     * @param whenFull refuse or wait when they are all open (default {@code REFUSE})
     * @param openWait how long {@code WAIT} waits (default 1 s)
     * @param queuePerStream frames waiting per stream (default 64)
     * @param maxQueued frames waiting in all, 0 for automatic: {@code maxStreams x queuePerStream}
     *     capped to 256 MiB of frames, at least {@code 4 x maxBatch}
     * @param maxDelay how long the oldest waiting frame waits for a fuller group (default 200 us)
     * @param maxBatch the largest group, 0 for automatic: 4 x the kernels' lanes
     * @param idleTimeout a stream idle this long is ended (default 1 s, as Triton's)
     * @param outputs what listeners get (default {@code LOGITS}; a model without a head needs
     *     {@code HIDDEN})
     * @param steppers threads stepping groups (default 1)
     */
    public record Options(
            int maxStreams,
            WhenFull whenFull,
            Duration openWait,
            int queuePerStream,
            int maxQueued,
            Duration maxDelay,
            int maxBatch,
            Duration idleTimeout,
            Outputs outputs,
            int steppers) {
        /** The defaults above. */
        public static final Options DEFAULT =
                new Options(
                        1024,
                        WhenFull.REFUSE,
                        Duration.ofSeconds(1),
                        64,
                        0,
                        Duration.ofNanos(200_000),
                        0,
                        Duration.ofSeconds(1),
                        Outputs.LOGITS,
                        1);

        /** Checks every value, naming the one that is wrong. */
        public Options {
            atLeast("maxStreams", maxStreams, 1);
            if (whenFull == null)
                throw new IllegalArgumentException("whenFull: expected REFUSE or WAIT");
            positive("openWait", openWait, true);
            atLeast("queuePerStream", queuePerStream, 1);
            atLeast("maxQueued", maxQueued, 0);
            positive("maxDelay", maxDelay, true);
            atLeast("maxBatch", maxBatch, 0);
            positive("idleTimeout", idleTimeout, false);
            if (outputs == null)
                throw new IllegalArgumentException("outputs: expected LOGITS, HIDDEN or BOTH");
            atLeast("steppers", steppers, 1);
        }

        private static void atLeast(String name, int value, int least) {
            if (value < least)
                throw new IllegalArgumentException(
                        name + " " + value + ": expected at least " + least);
        }

        private static void positive(String name, Duration d, boolean zeroAllowed) {
            if (d == null || d.isNegative() || (!zeroAllowed && d.isZero()))
                throw new IllegalArgumentException(
                        name + " " + d + ": expected a duration " + (zeroAllowed ? ">= 0" : "> 0"));
        }

        /** With another stream limit. */
        public Options withMaxStreams(int n) {
            Edit e = new Edit(this);
            e.maxStreams = n;
            return e.done();
        }

        /** With another answer to a full batcher, and how long {@code WAIT} waits. */
        public Options withWhenFull(WhenFull w, Duration wait) {
            Edit e = new Edit(this);
            e.whenFull = w;
            e.openWait = wait;
            return e.done();
        }

        /** With another queue per stream. */
        public Options withQueuePerStream(int n) {
            Edit e = new Edit(this);
            e.queuePerStream = n;
            return e.done();
        }

        /** With another bound on all waiting frames (0: automatic). */
        public Options withMaxQueued(int n) {
            Edit e = new Edit(this);
            e.maxQueued = n;
            return e.done();
        }

        /** With another batching delay. */
        public Options withMaxDelay(Duration d) {
            Edit e = new Edit(this);
            e.maxDelay = d;
            return e.done();
        }

        /** With another largest group (0: automatic). */
        public Options withMaxBatch(int n) {
            Edit e = new Edit(this);
            e.maxBatch = n;
            return e.done();
        }

        /** With another idle timeout. */
        public Options withIdleTimeout(Duration d) {
            Edit e = new Edit(this);
            e.idleTimeout = d;
            return e.done();
        }

        /** With other outputs. */
        public Options withOutputs(Outputs o) {
            Edit e = new Edit(this);
            e.outputs = o;
            return e.done();
        }

        /** With other stepper threads. */
        public Options withSteppers(int n) {
            Edit e = new Edit(this);
            e.steppers = n;
            return e.done();
        }

        /**
         * A mutable copy for the {@code with} methods: each changes its fields, then checks all.
         */
        private static final class Edit {
            int maxStreams;
            WhenFull whenFull;
            Duration openWait;
            int queuePerStream;
            int maxQueued;
            Duration maxDelay;
            int maxBatch;
            Duration idleTimeout;
            Outputs outputs;
            int steppers;

            Edit(Options o) {
                maxStreams = o.maxStreams;
                whenFull = o.whenFull;
                openWait = o.openWait;
                queuePerStream = o.queuePerStream;
                maxQueued = o.maxQueued;
                maxDelay = o.maxDelay;
                maxBatch = o.maxBatch;
                idleTimeout = o.idleTimeout;
                outputs = o.outputs;
                steppers = o.steppers;
            }

            Options done() {
                return new Options(
                        maxStreams,
                        whenFull,
                        openWait,
                        queuePerStream,
                        maxQueued,
                        maxDelay,
                        maxBatch,
                        idleTimeout,
                        outputs,
                        steppers);
            }
        }
    }

    /**
     * What a batcher has done, for metrics.
     *
     * @param openStreams streams open now
     * @param queuedFrames frames waiting now
     * @param batches groups stepped so far
     * @param frames frames stepped so far
     * @param paddingRows rows stepped with no frame so far: a group short of a whole chunk of the
     *     kernels' lanes by a few rows is stepped as the whole chunk, its padding ignored
     * @param maxBatch the largest group
     */
    public record Stats(
            int openStreams,
            int queuedFrames,
            long batches,
            long frames,
            long paddingRows,
            int maxBatch) {
        /**
         * Frames per group stepped, over {@code maxBatch}.
         *
         * @return in [0, 1]; 0 before the first group
         */
        public double meanBatchFill() {
            return batches == 0 ? 0 : (double) frames / batches / maxBatch;
        }
    }

    /**
     * One open stream: push its frames, end it. A handle stays valid after its stream ended (every
     * push then throws {@link IllegalStateException} saying why). Thread-safe: any thread may push,
     * and the frames of concurrent pushes are queued in the order the batcher's lock admits them.
     */
    public static final class Stream {
        final BatcherCore core;
        final StreamSlot slot;
        final long id;
        volatile String ended; // why it ended, null while open
        final Object pushLock = new Object(); // one push of this stream at a time (BatcherCore)

        Stream(BatcherCore core, StreamSlot slot, long id) {
            this.core = core;
            this.slot = slot;
            this.id = id;
        }

        /**
         * Its sequence id.
         *
         * @return the id it was opened with
         */
        public long id() {
            return id;
        }

        /**
         * Whether it still takes frames.
         *
         * @return false once ended, ending, failed, expired or shut down
         */
        public boolean isOpen() {
            return ended == null;
        }

        /**
         * Queues a frame unless the queue is full.
         *
         * @param frame {@code N_x} values
         * @return false, queuing nothing, when this stream's queue or the batcher's backlog is full
         * @throws IllegalArgumentException for a frame of the wrong size or holding NaN or infinity
         *     (the stream then fails: {@link FrameListener#onError} after the earlier frames)
         * @throws IllegalStateException when the stream or the batcher no longer takes frames
         */
        public boolean offer(float[] frame) {
            return offer(frame, false);
        }

        /**
         * As {@link #offer(float[])}; {@code last} ends the stream after this frame.
         *
         * @param frame {@code N_x} values
         * @param last whether it is the stream's last frame
         * @return false when full (nothing queued, the stream still open)
         */
        public boolean offer(float[] frame, boolean last) {
            if (frame == null)
                throw new IllegalArgumentException(
                        "frame: expected " + core.input + " floats, got null");
            return core.enqueue(this, frame, null, frame.length, last);
        }

        /**
         * As {@link #offer(float[], boolean)}, the frame from a segment (heap or native).
         *
         * @param frame {@code N_x} floats
         * @param last whether it is the stream's last frame
         * @return false when full
         */
        public boolean offer(MemorySegment frame, boolean last) {
            if (frame == null)
                throw new IllegalArgumentException(
                        "frame: expected " + core.input + " floats, got null");
            return core.enqueue(this, null, frame, frame.byteSize() / Float.BYTES, last);
        }

        /**
         * As {@link #offer(MemorySegment, boolean)} without the copy: the batcher keeps {@code
         * frame} itself and reads it when its group is stepped. The frame must stay unchanged and
         * alive until its output came ({@link FrameListener#onOutput} for its index) or the stream
         * ended; a frame changed before then is stepped as it is then (checked for NaN only at the
         * offer), a frame whose arena closed before then fails its stream. For a producer that
         * keeps its frames until their outputs anyway (a request waiting for its answer): it saves
         * a copy of {@code N_x} floats a frame, at saturation over a quarter of a frame's cost.
         *
         * @param frame {@code N_x} floats in native memory that the batcher's threads can read (a
         *     shared or global arena)
         * @param last whether it is the stream's last frame
         * @return false when full
         * @throws IllegalArgumentException for a heap segment or one confined to a thread, besides
         *     {@link #offer(float[])}'s reasons
         */
        public boolean offerInPlace(MemorySegment frame, boolean last) {
            if (frame == null)
                throw new IllegalArgumentException(
                        "frame: expected " + core.input + " floats, got null");
            return core.lend(this, frame, frame.byteSize() / Float.BYTES, last);
        }

        /**
         * As {@link #offer(float[], boolean)}, throwing when full.
         *
         * @param frame {@code N_x} values
         * @param last whether it is the stream's last frame
         * @throws IllegalStateException when this stream's queue or the batcher's backlog is full
         */
        public void push(float[] frame, boolean last) {
            if (!offer(frame, last)) throw full();
        }

        /**
         * As {@link #push(float[], boolean)}, not the last frame.
         *
         * @param frame {@code N_x} values
         */
        public void push(float[] frame) {
            push(frame, false);
        }

        /**
         * As {@link #push(float[], boolean)}, the frame from a segment.
         *
         * @param frame {@code N_x} floats
         * @param last whether it is the stream's last frame
         */
        public void push(MemorySegment frame, boolean last) {
            if (!offer(frame, last)) throw full();
        }

        private IllegalStateException full() {
            return new IllegalStateException(
                    "stream "
                            + id
                            + ": queue full ("
                            + core.queuePerStream
                            + " frames per stream, "
                            + core.maxQueued
                            + " in all): frame refused");
        }

        /**
         * Ends the stream after the frames it has waiting ({@link FrameListener#onEnd} then). Does
         * nothing when it already ended or is ending.
         */
        public void end() {
            core.endStream(this);
        }

        @Override
        public String toString() {
            return "stream " + id + (ended == null ? "" : " (" + ended + ")");
        }
    }

    final BatcherCore core;

    SequenceBatcher(Model model, LstmStack stack, Options options) {
        core = new BatcherCore(model, stack, options);
    }

    /**
     * Opens a stream with zero state.
     *
     * @param sequenceId its id, unique among the open streams
     * @param listener receives its outputs and its end
     * @return the stream
     * @throws IllegalArgumentException for a null listener
     * @throws IllegalStateException when the id is open already, when {@code maxStreams} are open
     *     ({@code REFUSE}, or {@code WAIT} after {@code openWait}), or after a shutdown
     */
    public Stream open(long sequenceId, FrameListener listener) {
        return core.open(sequenceId, listener);
    }

    /**
     * What it has done so far.
     *
     * @return open streams, waiting frames, groups and frames stepped
     */
    public Stats stats() {
        return core.stats();
    }

    /**
     * The largest group it steps.
     *
     * @return {@code maxBatch}, resolved
     */
    public int maxBatch() {
        return core.maxBatch;
    }

    /**
     * Stops taking streams and frames, runs every frame waiting, ends every stream ({@link
     * FrameListener#onEnd}), then frees its memory. Idempotent; blocks until done.
     */
    @Override
    public void close() {
        core.close();
    }

    /**
     * Stops at once: refuses every frame waiting ({@link FrameListener#onDropped} with their count,
     * on this thread), lets the groups in flight finish, ends every stream, frees its memory.
     * Idempotent; blocks until the steppers are done.
     */
    public void shutdownNow() {
        core.shutdownNow();
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
