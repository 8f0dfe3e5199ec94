package fdht.kernels.model;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.model.SequenceBatcher.Options;
import fdht.kernels.model.SequenceBatcher.Stats;
import fdht.kernels.model.SequenceBatcher.Stream;
import fdht.kernels.model.SequenceBatcher.WhenFull;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state behind a {@link SequenceBatcher}: its slots, their native state rows, the frame pool,
 * the ready heap and the lock and conditions that guard them, with everything a push, an open, an
 * end and a shutdown do under that lock. Its {@link Stepper}s step the groups. Thread-safe: every
 * field is guarded by {@link #lock}, except what a stepper reads of the slots it holds in flight.
 */
final class BatcherCore {
    private enum State {
        RUNNING,
        DRAINING,
        STOPPED
    }

    final Model model;
    final LstmStack stack;
    final Outputs outputs;
    final int input, maxStreams, queuePerStream, maxQueued, maxBatch;
    final long maxDelayNanos, idleNanos, openWaitNanos;
    private final WhenFull whenFull;
    private final boolean rejectNonFinite;
    private final Kernels kernels;
    final Arena arena = Arena.ofShared();
    final MemorySegment[] slotH, slotC; // [layer] -> [maxStreams][H]
    final StreamSlot[] slots;
    private final int[] freeSlots;
    private int freeCount;
    private final Map<Long, StreamSlot> byId = new HashMap<>();
    final ReadyStreams ready;
    final FramePool pool;
    final ReentrantLock lock = new ReentrantLock();
    final Condition work = lock.newCondition(), slotFreed = lock.newCondition();
    private State state = State.RUNNING;
    private long order;
    long batches, framesStepped, paddingRows;

    /** Counted down by each stepper once its buffers are made, or once it failed to make them. */
    final CountDownLatch steppersReady;

    /** Why a stepper could not make its buffers, or null. */
    volatile Throwable stepperSetupFailed;

    final Thread[] steppers;

    BatcherCore(Model model, LstmStack stack, Options o) {
        if (!model.streamable())
            throw new IllegalArgumentException(
                    "model "
                            + model.name()
                            + " is bidirectional: it reads whole clips and cannot"
                            + " stream frame by frame (use a Predictor)");
        if (o.outputs().logits()) model.requireHead("a batcher with logits outputs");
        if (!model.readableByAnyThread())
            throw new IllegalArgumentException(
                    "model "
                            + model.name()
                            + ": its stack lives in an arena confined to one"
                            + " thread, and the batcher steps on threads of its own; build it in a"
                            + " shared arena");
        this.model = model;
        this.stack = stack;
        this.outputs = o.outputs();
        this.input = stack.inputSize();
        this.kernels = stack.layer(0, 0).kernels();
        this.maxStreams = o.maxStreams();
        this.queuePerStream = o.queuePerStream();
        this.maxBatch = o.maxBatch() > 0 ? o.maxBatch() : 4 * Math.max(1, kernels.lanes());
        long budget = (256L << 20) / ((long) input * Float.BYTES);
        this.maxQueued =
                o.maxQueued() > 0
                        ? o.maxQueued()
                        : (int)
                                Math.max(
                                        4L * maxBatch,
                                        Math.min((long) maxStreams * queuePerStream, budget));
        this.maxDelayNanos = o.maxDelay().toNanos();
        this.idleNanos = o.idleTimeout().toNanos();
        this.openWaitNanos = o.openWait().toNanos();
        this.whenFull = o.whenFull();
        this.rejectNonFinite = model.options().nonFinite() == Lstm.NonFinite.REJECT;
        try {
            int layers = stack.layerCount();
            long rows = (long) maxStreams * stack.hiddenSize();
            slotH = new MemorySegment[layers];
            slotC = new MemorySegment[layers];
            for (int l = 0; l < layers; l++) {
                slotH[l] = Weights.floats(arena, rows);
                slotC[l] = Weights.floats(arena, rows);
            }
            slots = new StreamSlot[maxStreams];
            freeSlots = new int[maxStreams];
            for (int s = maxStreams - 1; s >= 0; s--) {
                slots[s] = new StreamSlot(s, queuePerStream);
                freeSlots[freeCount++] = s;
            }
            ready = new ReadyStreams(maxStreams);
            pool = new FramePool(arena, input, maxQueued);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        steppers = new Thread[o.steppers()];
        steppersReady = new CountDownLatch(steppers.length);
        for (int i = 0; i < steppers.length; i++) {
            Stepper s = new Stepper(this);
            steppers[i] = Thread.ofPlatform().daemon().name("fdht-batcher-" + i).unstarted(s);
        }
        for (Thread t : steppers) t.start();
        awaitSteppers();
    }

    /**
     * Waits until every stepper made its buffers, so the first frames are stepped as fast as the
     * rest; a stepper that could not make them (memory, say) fails the batcher's construction.
     */
    private void awaitSteppers() {
        boolean interrupted = false;
        while (true) {
            try {
                steppersReady.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable failed = stepperSetupFailed;
        if (failed != null) {
            shutdownNow();
            throw new IllegalStateException(
                    "the batcher's steppers could not make their buffers: " + failed, failed);
        }
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
    Stream open(long sequenceId, FrameListener listener) {
        if (listener == null)
            throw new IllegalArgumentException("listener: expected a FrameListener");
        lock.lock();
        try {
            requireRunning();
            if (byId.containsKey(sequenceId))
                throw new IllegalStateException("sequence " + sequenceId + " is open already");
            long waited = openWaitNanos;
            while (freeCount == 0) {
                if (whenFull == WhenFull.REFUSE || waited <= 0)
                    throw new IllegalStateException(
                            "sequence "
                                    + sequenceId
                                    + " refused: "
                                    + maxStreams
                                    + " streams open, the batcher's limit (maxStreams)"
                                    + (whenFull == WhenFull.WAIT
                                            ? ", none freed within "
                                                    + Duration.ofNanos(openWaitNanos)
                                            : ""));
                try {
                    waited = slotFreed.awaitNanos(waited);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(
                            "sequence " + sequenceId + ": interrupted waiting for a slot", e);
                }
                requireRunning();
                if (byId.containsKey(sequenceId))
                    throw new IllegalStateException("sequence " + sequenceId + " is open already");
            }
            StreamSlot slot = slots[freeSlots[--freeCount]];
            Stream stream = new Stream(this, slot, sequenceId);
            long bytes = (long) stack.hiddenSize() * Float.BYTES;
            for (int l = 0; l < slotH.length; l++) {
                slotH[l].asSlice(slot.index * bytes, bytes).fill((byte) 0);
                slotC[l].asSlice(slot.index * bytes, bytes).fill((byte) 0);
            }
            slot.open(sequenceId, listener, stream, System.nanoTime());
            byId.put(sequenceId, slot);
            return stream;
        } finally {
            lock.unlock();
        }
    }

    private void requireRunning() {
        if (state != State.RUNNING)
            throw new IllegalStateException(
                    "batcher is "
                            + (state == State.DRAINING ? "closing" : "shut down")
                            + ": no new streams or frames");
    }

    /**
     * Checks, copies and queues one frame (a heap array or a segment); see {@link Stream#offer}.
     * The copy and the non-finite check run outside the batcher's lock, on a frame id taken under
     * it, so producers do not hold up the steppers for the 16 KB a frame moves; the stream's own
     * push lock keeps its frames in the order they were pushed.
     */
    boolean enqueue(Stream s, float[] array, MemorySegment segment, long length, boolean last) {
        StreamSlot slot = s.slot;
        synchronized (s.pushLock) {
            int id;
            lock.lock();
            try {
                requireTakesFrames(s);
                if (length != input) return fail(s, length + " values, expected N_x = " + input);
                if (!slot.hasRoomForFrame()) return false;
                id = pool.take();
                if (id < 0) return false;
            } finally {
                lock.unlock();
            }
            // the id is this push's alone until it is queued: no one else reads or writes its frame
            MemorySegment page = pool.page(id);
            long at = pool.offset(id);
            int bad = -1;
            RuntimeException copyFailed = null;
            try {
                if (array != null)
                    MemorySegment.copy(
                            array, 0, page, ValueLayout.JAVA_FLOAT, at * Float.BYTES, input);
                else
                    MemorySegment.copy(
                            segment, 0, page, at * Float.BYTES, (long) input * Float.BYTES);
                if (rejectNonFinite) bad = kernels.firstNonFinite(page, at, input);
            } catch (RuntimeException e) {
                // the caller's segment unreadable, or a shutdown freed the pool
                copyFailed = e;
            }
            lock.lock();
            try {
                boolean gone = !running() || !takesFrames(s); // ended or stopped meanwhile
                if (gone || copyFailed != null) {
                    pool.free(id); // nothing of this push stays queued
                    if (gone) requireTakesFrames(s); // throws, saying why
                    throw copyFailed;
                }
                if (bad >= 0) {
                    float v = page.getAtIndex(ValueLayout.JAVA_FLOAT, at + bad);
                    pool.free(id);
                    return fail(s, "non-finite value " + v + " at index " + bad);
                }
                add(slot, id, last);
                if (last) closeTo(s, "its last frame was pushed");
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * {@link Stream#offerInPlace}: the frame is the caller's, so it is checked before the lock and
     * queued in one turn of it (a copy needs a pool frame first, so takes two). The answers come in
     * the copy's order: a closed or ended stream, a wrong size, a full queue, then a non-finite
     * value; a frame that cannot be read fails this push only.
     */
    boolean lend(Stream s, MemorySegment frame, long length, boolean last) {
        requireLendable(s, frame);
        int bad = rejectNonFinite && length == input ? kernels.firstNonFinite(frame, 0, input) : -1;
        synchronized (s.pushLock) {
            lock.lock();
            try {
                requireTakesFrames(s);
                if (length != input) return fail(s, length + " values, expected N_x = " + input);
                if (!s.slot.hasRoomForFrame() || pool.full()) return false;
                if (bad >= 0)
                    return fail(
                            s,
                            "non-finite value "
                                    + frame.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, bad)
                                    + " at index "
                                    + bad);
                add(s.slot, pool.lend(frame), last);
                if (last) closeTo(s, "its last frame was pushed");
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * A frame read in place must be native (the kernels read native memory) and readable by the
     * steppers, whose threads are not the caller's.
     */
    private void requireLendable(Stream s, MemorySegment frame) {
        String problem =
                !frame.isNative()
                        ? "a heap segment"
                        : !frame.isAccessibleBy(steppers[0])
                                ? "confined to the thread that made it"
                                : null;
        if (problem != null)
            throw new IllegalArgumentException(
                    "stream "
                            + s.id
                            + ": a frame read in place must be a native segment the batcher's"
                            + " threads can read (a shared or global arena); this one is "
                            + problem
                            + " (offer copies it instead)");
    }

    private static boolean takesFrames(Stream s) {
        return s.slot.stream == s && s.ended == null && !s.slot.closing;
    }

    /** Under the lock: the batcher runs and {@code s} is open, or why not. */
    private void requireTakesFrames(Stream s) {
        requireRunning();
        if (!takesFrames(s))
            throw new IllegalStateException(
                    "stream "
                            + s.id
                            + " takes no frames: "
                            + (s.ended != null ? s.ended : "it is ending"));
    }

    /** Queues an error marker: the stream fails after its earlier frames; throws {@code e}. */
    private boolean fail(Stream s, String problem) {
        IllegalArgumentException e =
                new IllegalArgumentException(
                        "stream " + s.id + ", frame " + s.slot.pushed + ": " + problem);
        s.slot.error = e;
        add(s.slot, StreamSlot.ERROR, false);
        closeTo(s, "failed: " + e.getMessage());
        throw e;
    }

    private void closeTo(Stream s, String why) {
        s.slot.closing = true;
        s.ended = why;
    }

    /** Appends an entry; a stream with nothing in flight and nothing else queued becomes ready. */
    private void add(StreamSlot slot, int entry, boolean last) {
        long now = System.nanoTime();
        slot.add(entry, last, order++, now);
        if (!slot.inFlight && slot.entries() == 1) {
            ready.add(slot);
            if (ready.size() == 1 || ready.size() >= groupLimit()) work.signal();
        }
    }

    /**
     * Under the lock: the largest group a stepper takes now, and the size at which a group is due
     * at once. {@code maxBatch}, but no more than the open streams' share of one stepper, rounded
     * up to whole chunks of lanes: a stream is in one group at a time, so with 64 streams open and
     * groups of 64 one stepper stepped while the other waited (measured, 2 steppers: 164,000 frames
     * a second, against 278,000 with groups of 32).
     */
    int groupLimit() {
        int open = maxStreams - freeCount, n = steppers.length;
        int lanes = Math.max(1, kernels.lanes()), share = (open + n - 1) / n;
        return Math.min(maxBatch, Math.max(lanes, (share + lanes - 1) / lanes * lanes));
    }

    void endStream(Stream s) {
        lock.lock();
        try {
            if (slot(s) == null || s.slot.closing) return;
            add(s.slot, StreamSlot.END, false);
            closeTo(s, "it was ended");
        } finally {
            lock.unlock();
        }
    }

    private StreamSlot slot(Stream s) {
        return s.slot.stream == s ? s.slot : null;
    }

    /** Frees a slot whose stream is over: its waiting frames back to the pool, its id free. */
    void release(StreamSlot slot, String why) {
        while (slot.entries() > 0) {
            if (slot.headEntry() >= 0) pool.free(slot.headEntry());
            slot.removeHead();
        }
        if (slot.heapPos >= 0) ready.remove(slot);
        if (slot.stream.ended == null) slot.stream.ended = why;
        byId.remove(slot.sequenceId);
        slot.free();
        freeSlots[freeCount++] = slot.index;
        slotFreed.signal();
        if (state != State.RUNNING) work.signalAll();
    }

    boolean running() {
        return state == State.RUNNING;
    }

    boolean stopped() {
        return state == State.STOPPED;
    }

    /** Whether a stepper has nothing left to do in a shutdown. */
    boolean finished() {
        return state != State.RUNNING && freeCount == maxStreams;
    }

    /**
     * What it has done so far.
     *
     * @return open streams, waiting frames, groups and frames stepped
     */
    Stats stats() {
        lock.lock();
        try {
            return new Stats(
                    maxStreams - freeCount,
                    pool.inUse(),
                    batches,
                    framesStepped,
                    paddingRows,
                    maxBatch);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking streams and frames, runs every frame waiting, ends every stream ({@link
     * FrameListener#onEnd}), then frees its memory. Idempotent; blocks until done.
     */
    void close() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.DRAINING;
                for (StreamSlot slot : slots)
                    if (slot.isOpen() && !slot.closing) {
                        add(slot, StreamSlot.END, false);
                        closeTo(slot.stream, "the batcher closed");
                    }
                work.signalAll();
            }
        } finally {
            lock.unlock();
        }
        join();
    }

    /**
     * Stops at once: refuses every frame waiting ({@link FrameListener#onDropped} with their count,
     * on this thread), lets the groups in flight finish, ends every stream, frees its memory.
     * Idempotent; blocks until the steppers are done.
     */
    void shutdownNow() {
        int n = 0;
        long[] ids = null, dropped = null;
        FrameListener[] listeners = null;
        lock.lock();
        try {
            if (state != State.STOPPED) {
                state = State.STOPPED;
                ids = new long[maxStreams];
                dropped = new long[maxStreams];
                listeners = new FrameListener[maxStreams];
                for (StreamSlot slot : slots) {
                    if (!slot.isOpen()) continue;
                    if (slot.inFlight) {
                        slot.closing = true; // its stepper ends it (and reports its drops)
                        continue;
                    }
                    ids[n] = slot.sequenceId;
                    dropped[n] = slot.frames();
                    listeners[n++] = slot.listener;
                    closeTo(slot.stream, "the batcher shut down");
                    release(slot, "the batcher shut down");
                }
                work.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < n; i++) Stepper.quietly(listeners[i], ids[i], dropped[i]);
        join();
    }

    private void join() {
        boolean interrupted = false;
        for (Thread t : steppers) {
            if (t == Thread.currentThread()) continue;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        synchronized (this) {
            if (arena.scope().isAlive()) arena.close();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String toString() {
        Stats s = stats();
        return "batcher of "
                + model.name()
                + ": "
                + s.openStreams()
                + " streams open, "
                + s.queuedFrames()
                + " frames waiting";
    }
}
