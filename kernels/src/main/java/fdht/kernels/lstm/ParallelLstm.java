package fdht.kernels.lstm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an {@link Lstm}'s steps, or an {@link LstmStack}'s clips, for one batch on several cores:
 * the batch rows are split into one contiguous slice per thread (rows of an LSTM batch are
 * independent), the calling thread works the first slice and {@code threads - 1} daemon workers,
 * started once, the others. Each slice has its own workspace, so a step (or a clip) allocates
 * nothing and takes one fork and one join.
 *
 * <p>A step is all-or-nothing: every slice computes its gate sums first; only when no slice
 * rejected its input does the state change (the gate arithmetic, done by the caller). A clip of a
 * stack runs every layer of a slice in one go (one fork and join per clip); when a slice fails, the
 * outputs are incomplete and the first failure is thrown. Not thread-safe: one caller at a time.
 * {@link #close} stops the workers.
 */
public final class ParallelLstm implements AutoCloseable {
    private static final int SPINS =
            1 << 14; // spin this long before parking: a step is tens of microseconds

    private final Lstm lstm; // step mode, else null
    private final LstmStack stack; // clip mode, else null
    private final LstmStack.Workspace[] stackWork;
    private final int batch;
    private final int[] from, count;
    private final LstmWorkspace[] work;
    private final Thread[] workers;
    private final Throwable[] failures;
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread[] caller = new Thread[1];
    private volatile long generation;
    private volatile boolean closed;
    // the job, written before generation is bumped (the volatile write publishes them)
    private MemorySegment x;
    private long xOff, xStride;
    private LstmState[] slices;
    private LstmState slicedFrom;
    private int frames;
    private MemorySegment output, logits;

    /** Steps of one layer for a batch of {@code batch} rows on {@code threads} threads. */
    public ParallelLstm(Lstm lstm, int batch, int threads, Arena arena) {
        this(lstm, null, batch, 0, threads, arena);
    }

    /**
     * Clips of at most {@code maxFrames} frames through a stack, for a batch of {@code batch} rows
     * on {@code threads} threads.
     */
    public ParallelLstm(LstmStack stack, int batch, int maxFrames, int threads, Arena arena) {
        this(null, stack, batch, maxFrames, threads, arena);
    }

    private ParallelLstm(
            Lstm lstm, LstmStack stack, int batch, int maxFrames, int threads, Arena arena) {
        if (threads < 1)
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        if (batch < threads)
            throw new IllegalArgumentException(
                    "batch " + batch + " has fewer rows than threads " + threads);
        this.lstm = lstm;
        this.stack = stack;
        this.stackWork = stack == null ? null : new LstmStack.Workspace[threads];
        this.batch = batch;
        from = new int[threads];
        count = new int[threads];
        work = new LstmWorkspace[threads];
        failures = new Throwable[threads];
        for (int t = 0, at = 0; t < threads; t++) {
            from[t] = at;
            count[t] = batch / threads + (t < batch % threads ? 1 : 0);
            at += count[t];
            if (lstm != null) work[t] = lstm.newWorkspace(count[t], arena);
            else stackWork[t] = stack.newWorkspace(count[t], maxFrames, arena);
        }
        workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++) {
            int slice = t;
            workers[t - 1] =
                    Thread.ofPlatform()
                            .daemon()
                            .name("fdht-lstm-" + t)
                            .unstarted(() -> work(slice));
        }
        for (Thread w : workers) w.start();
    }

    public int threads() {
        return from.length;
    }

    public int batch() {
        return batch;
    }

    /**
     * One step for the whole batch, as {@link Lstm#step}: frame row {@code b} at {@code x[xOff +
     * b*xStride ..]}.
     */
    public void step(MemorySegment x, long xOff, long xStride, LstmState state) {
        if (closed) throw new IllegalStateException("this ParallelLstm is closed");
        if (lstm == null)
            throw new IllegalStateException("this ParallelLstm runs clips of a stack: use run");
        if (state.batch() != batch)
            throw new IllegalArgumentException(
                    "state has batch " + state.batch() + " but this runner has batch " + batch);
        if (state != slicedFrom) { // views are made once per state, not per step
            LstmState[] s = new LstmState[from.length];
            for (int t = 0; t < s.length; t++) s[t] = state.rows(from[t], count[t]);
            slices = s;
            slicedFrom = state;
        }
        this.x = x;
        this.xOff = xOff;
        this.xStride = xStride;
        forkJoin();
        for (int t = 0; t < from.length; t++) lstm.finish(slices[t], work[t]);
    }

    /**
     * A batch of clips through the stack, as {@link LstmStack#run}: {@code clip} {@code
     * [b][t][N_x]}, {@code output} {@code [b][t][D*H]} and {@code logits} {@code [b][C]} (either
     * may be null).
     */
    public void run(MemorySegment clip, int frames, MemorySegment output, MemorySegment logits) {
        if (closed) throw new IllegalStateException("this ParallelLstm is closed");
        if (stack == null)
            throw new IllegalStateException("this ParallelLstm runs steps of one layer: use step");
        long need = (long) batch * frames * stack.inputSize();
        if (frames < 1 || clip.byteSize() < need * Float.BYTES)
            throw new IllegalArgumentException(
                    "clip holds "
                            + clip.byteSize() / Float.BYTES
                            + " floats, not "
                            + batch
                            + " x "
                            + frames
                            + " frames x N_x "
                            + stack.inputSize());
        this.x = clip;
        this.frames = frames;
        this.output = output;
        this.logits = logits;
        forkJoin();
    }

    /**
     * Runs {@link #slice} on every thread, the first on this one, and rethrows the first failure.
     */
    private void forkJoin() {
        caller[0] = Thread.currentThread();
        pending.set(workers.length);
        generation++; // publishes the job
        for (Thread w : workers) LockSupport.unpark(w);
        Throwable mine = null;
        try {
            slice(0);
        } catch (Throwable e) {
            mine = e;
        }
        for (int spin = 0; pending.get() != 0; spin++) {
            if (spin < SPINS) Thread.onSpinWait();
            else LockSupport.park(this);
        }
        Throwable first = mine;
        for (int t = 1; t < failures.length; t++) {
            if (first == null) first = failures[t];
            failures[t] = null;
        }
        rethrow(first);
    }

    /** Slice {@code t}'s share of the job: a step's projection, or a clip through the stack. */
    private void slice(int t) {
        if (lstm != null) {
            lstm.project(x, xOff + from[t] * xStride, xStride, slices[t], work[t], -1, from[t]);
            return;
        }
        int classes = stack.headClasses();
        stack.run(
                x,
                (long) from[t] * frames * stack.inputSize(),
                frames,
                stackWork[t],
                output,
                (long) from[t] * frames * stack.outputSize(),
                logits,
                (long) from[t] * classes);
    }

    private static void rethrow(Throwable e) {
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException(e);
    }

    private void work(int t) {
        long seen = 0;
        while (true) {
            for (int spin = 0; generation == seen && !closed; spin++) {
                if (spin < SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            try {
                slice(t);
            } catch (Throwable e) {
                failures[t] = e;
            }
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller[0]);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
