package fdht.kernels.model;

import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import fdht.layout.io.AtomicOutputs;
import fdht.layout.io.NpyRowWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One call of {@link Model#score}: checks everything that can be checked before any work (shapes,
 * heads, destinations and their sizes, output files' directories), then runs chunks of clips on
 * {@code threads} threads (the caller's one of them), each with its own reader, workspace and
 * output buffers made once in an arena confined to it; chunks are handed out by an atomic counter
 * (under a lock for a sequential source, which reads inside it). Each chunk's outputs go to the
 * files at their rows' positions, to the caller's segments at their offsets, to the kept logits at
 * theirs, and to the sink in input order ({@link Turns}). The first failure by chunk order fails
 * the call once every thread stopped; output files are then not renamed into place.
 */
final class BulkScoring {
    private final Model model;
    private final LstmStack stack;
    private final ClipSource source;
    private final ResultSink sink;
    private final Outputs outputs;
    private final MemorySegment logitsInto, hiddenInto;
    private final NpyRowWriter logitsFile, hiddenFile;
    private final int frames, chunk, classes, width;
    private final long count; // -1: sequential source, known at the end
    private final long chunks;
    private final AtomicLong nextChunk = new AtomicLong();
    private final Object readLock = new Object();
    private long clipsRead; // sequential sources, under readLock
    private final Turns turns;
    private final List<float[]> kept; // kept logits per chunk, or null
    private final Failure failure = new Failure();

    private BulkScoring(
            Model model,
            LstmStack stack,
            ClipSource source,
            ResultSink sink,
            Outputs outputs,
            BulkOptions options,
            NpyRowWriter logitsFile,
            NpyRowWriter hiddenFile,
            boolean keep,
            int chunk,
            int threads) {
        this.model = model;
        this.stack = stack;
        this.source = source;
        this.sink = sink;
        this.outputs = outputs;
        this.logitsInto = options.logitsInto();
        this.hiddenInto = options.hiddenInto();
        this.logitsFile = logitsFile;
        this.hiddenFile = hiddenFile;
        this.frames = source.frames();
        this.chunk = chunk;
        this.classes = stack.headClasses();
        this.width = stack.outputSize();
        this.count = source.sequential() ? -1 : source.count();
        this.chunks = count < 0 ? Long.MAX_VALUE : Math.ceilDiv(count, chunk);
        this.turns = sink == null ? null : new Turns();
        this.kept = keep ? new ArrayList<>() : null;
    }

    static BulkScores run(
            Model model, LstmStack stack, ClipSource source, BulkOptions options, ResultSink sink) {
        long t0 = System.nanoTime();
        if (source == null) throw new IllegalArgumentException("source: expected a ClipSource");
        if (options == null) throw new IllegalArgumentException("options: expected BulkOptions");
        if (!source.empty() && source.frameSize() != stack.inputSize())
            throw new IllegalArgumentException(
                    "clips of "
                            + source.frameSize()
                            + " values a frame, expected the model's N_x = "
                            + stack.inputSize()
                            + " ("
                            + source
                            + ")");
        Outputs outputs = options.resolvedOutputs();
        if (outputs.logits()) model.requireHead("logits");
        boolean keep =
                sink == null
                        && outputs.logits()
                        && options.logitsFile() == null
                        && options.logitsInto() == null;
        if (sink == null
                && outputs.hidden()
                && options.hiddenFile() == null
                && options.hiddenInto() == null)
            throw new IllegalArgumentException(
                    "hidden outputs need a destination (BulkOptions.withHiddenFile or"
                            + " withHiddenInto) or a ResultSink: they are not kept in memory");
        long count = source.sequential() ? -1 : source.count();
        int frames = source.frames();
        requireRoom(options.logitsInto(), count, stack.headClasses(), "logits", "B x C");
        requireRoom(
                options.hiddenInto(),
                count,
                (long) frames * stack.outputSize(),
                "hidden outputs",
                "B x T x D*H");
        int threads =
                options.threads() > 0
                        ? options.threads()
                        : model.options().threads() > 0
                                ? model.options().threads()
                                : Runtime.getRuntime().availableProcessors();
        if (threads > 1
                && (source.confinedToCaller()
                        || confined(options.logitsInto())
                        || confined(options.hiddenInto())
                        || !model.readableByAnyThread())) threads = 1; // see ClipSource, Model.of
        int chunk = options.chunk() > 0 ? options.chunk() : model.options().chunk();
        if (chunk == 0)
            chunk =
                    source.empty()
                            ? 1
                            : ChunkSize.automatic(
                                    stack,
                                    frames,
                                    outputs.hidden(),
                                    count < 0 ? 0 : Math.ceilDiv(count, threads),
                                    ChunkSize.l2Bytes());
        if (count >= 0) {
            chunk = (int) Math.max(1, Math.min(chunk, count));
            threads = (int) Math.max(1, Math.min(threads, Math.ceilDiv(count, chunk)));
        }
        try (AtomicOutputs files = new AtomicOutputs()) {
            files.file(options.logitsFile());
            files.file(options.hiddenFile());
            try (NpyRowWriter lf = writer(files, options.logitsFile(), stack.headClasses());
                    NpyRowWriter hf =
                            writer(files, options.hiddenFile(), frames, stack.outputSize())) {
                BulkScoring run =
                        new BulkScoring(
                                model, stack, source, sink, outputs, options, lf, hf, keep, chunk,
                                threads);
                long clips = run.runOn(threads);
                if (lf != null) lf.finish(clips);
                if (hf != null) hf.finish(clips);
                files.commit();
                return new BulkScores(
                        clips,
                        frames,
                        threads,
                        chunk,
                        System.nanoTime() - t0,
                        keep ? run.keptLogits(clips) : null,
                        stack.headClasses(),
                        model.labels());
            }
        }
    }

    private static NpyRowWriter writer(AtomicOutputs files, Path target, long... rowShape) {
        return target == null ? null : new NpyRowWriter(files.staging(target), rowShape);
    }

    private static boolean confined(MemorySegment s) {
        return s != null && !s.isAccessibleBy(Thread.ofPlatform().unstarted(() -> {}));
    }

    private static void requireRoom(
            MemorySegment out, long count, long perClip, String what, String shape) {
        if (out == null) return;
        if (count < 0)
            throw new IllegalArgumentException(
                    what
                            + " into a segment need the clip count in advance, which an iterator"
                            + " source does not give: write them to a file or a ResultSink");
        long bytes = count * perClip * Float.BYTES;
        if (out.byteSize() < bytes)
            throw new IllegalArgumentException(
                    what
                            + " segment of "
                            + out.byteSize() / Float.BYTES
                            + " floats, expected at least "
                            + shape
                            + " = "
                            + bytes / Float.BYTES);
        if (out.isReadOnly()) throw new IllegalArgumentException(what + " segment is read-only");
        if (!out.isAccessibleBy(Thread.currentThread()))
            throw new IllegalArgumentException(
                    what
                            + " segment is confined to another thread: expected one this thread can"
                            + " write");
    }

    /** Runs the chunks on {@code threads} threads, this one among them; the clips scored. */
    private long runOn(int threads) {
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++)
            helpers.add(Thread.ofPlatform().daemon().name("fdht-score-" + t).start(this::work));
        work();
        boolean interrupted = false;
        for (Thread h : helpers) {
            while (true) {
                try {
                    h.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the helpers stop on their own once told
                    failure.record(Long.MAX_VALUE, e);
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        failure.rethrow();
        return count >= 0 ? count : clipsRead;
    }

    /** One thread's loop: take a chunk, read it, run it, hand its outputs on. */
    private void work() {
        long k = Long.MAX_VALUE; // the chunk in hand, for ordering failures
        try (Arena arena = Arena.ofConfined();
                ClipSource.Reader reader = source.reader(chunk, arena)) {
            LstmStack.Workspace full = null, tail = null;
            MemorySegment logits =
                    outputs.logits() ? Weights.floats(arena, (long) chunk * classes) : null;
            MemorySegment hidden =
                    outputs.hidden() ? Weights.floats(arena, (long) chunk * frames * width) : null;
            while (!failure.happened()) {
                long first;
                int n;
                MemorySegment in;
                if (count < 0) {
                    synchronized (readLock) {
                        if (failure.happened()) return;
                        k = nextChunk.get();
                        first = clipsRead;
                        n = reader.readNext(first, chunk);
                        if (n == 0) return;
                        nextChunk.incrementAndGet();
                        clipsRead += n;
                    }
                    in = reader.read(first, n);
                } else {
                    k = nextChunk.getAndIncrement();
                    if (k >= chunks) return;
                    first = k * chunk;
                    n = (int) Math.min(chunk, count - first);
                    in = reader.read(first, n);
                }
                LstmStack.Workspace ws;
                if (n == chunk)
                    ws = full = full != null ? full : stack.newWorkspace(n, frames, arena);
                else
                    ws =
                            tail =
                                    tail != null && tail.batch() == n
                                            ? tail
                                            : stack.newWorkspace(n, frames, arena);
                try {
                    stack.run(in, frames, ws, hidden, logits);
                } catch (IllegalArgumentException e) {
                    throw NonFiniteInputException.of(e, in, first, n, frames, stack.inputSize());
                }
                deliver(k, first, n, logits, hidden);
            }
        } catch (Throwable e) {
            failure.record(k, e);
            if (turns != null) turns.abort();
        }
    }

    /** Chunk {@code k}'s outputs to every destination. */
    private void deliver(long k, long first, int n, MemorySegment logits, MemorySegment hidden) {
        long logitBytes = (long) n * classes * Float.BYTES;
        long hiddenBytes = (long) n * frames * width * Float.BYTES;
        if (logits != null) {
            if (logitsFile != null) logitsFile.write(first, n, logits);
            if (logitsInto != null)
                MemorySegment.copy(
                        logits, 0, logitsInto, first * classes * Float.BYTES, logitBytes);
            if (kept != null) keep(k, logits, n);
        }
        if (hidden != null) {
            if (hiddenFile != null) hiddenFile.write(first, n, hidden);
            if (hiddenInto != null)
                MemorySegment.copy(
                        hidden, 0, hiddenInto, first * frames * width * Float.BYTES, hiddenBytes);
        }
        if (sink != null && turns.await(k)) {
            try {
                sink.accept(
                        first,
                        n,
                        logits == null ? null : logits.asSlice(0, logitBytes),
                        hidden == null ? null : hidden.asSlice(0, hiddenBytes));
            } catch (Throwable e) {
                turns.abort(); // before the next chunk's turn comes: no chunk after a failure
                throw e;
            }
            turns.done(k);
        }
    }

    private void keep(long k, MemorySegment logits, int n) {
        float[] copy = new float[n * classes];
        MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, 0, copy, 0, copy.length);
        synchronized (kept) {
            while (kept.size() <= k) kept.add(null);
            kept.set((int) k, copy);
        }
    }

    /** The kept logits of {@code clips} clips, in input order. */
    private float[] keptLogits(long clips) {
        long floats = clips * classes;
        if (floats > Integer.MAX_VALUE - 8)
            throw new IllegalStateException(
                    clips
                            + " clips' logits do not fit one array: give a logits destination or a"
                            + " ResultSink");
        float[] all = new float[(int) floats];
        int at = 0;
        for (float[] c : kept) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return all;
    }

    /** Hands the sink its chunks in order: chunk {@code k} waits until {@code k - 1} is done. */
    private static final class Turns {
        private long next;
        private boolean aborted;

        /** Waits for chunk {@code k}'s turn; false when the run failed meanwhile. */
        synchronized boolean await(long k) {
            while (next != k && !aborted) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while scoring", e);
                }
            }
            return !aborted;
        }

        synchronized void done(long k) {
            next = k + 1;
            notifyAll();
        }

        synchronized void abort() {
            aborted = true;
            notifyAll();
        }
    }

    /** The failure of the lowest chunk, once every thread stopped. */
    private static final class Failure {
        private volatile boolean happened;
        private long chunk = Long.MAX_VALUE;
        private Throwable first;

        boolean happened() {
            return happened;
        }

        synchronized void record(long chunk, Throwable e) {
            if (first == null || chunk < this.chunk) {
                if (first != null) e.addSuppressed(first);
                this.chunk = chunk;
                first = e;
            } else if (first != e) first.addSuppressed(e);
            happened = true;
        }

        synchronized void rethrow() {
            if (first instanceof RuntimeException r) throw r;
            if (first instanceof Error err) throw err;
            if (first != null) throw new IllegalStateException(first.getMessage(), first);
        }
    }
}
