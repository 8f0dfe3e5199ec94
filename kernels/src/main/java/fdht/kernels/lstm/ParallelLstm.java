package fdht.kernels.lstm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an {@link Lstm}'s steps for one batch on several cores: the batch rows are split into one
 * contiguous slice per thread (rows of an LSTM batch are independent), the calling thread works the
 * first slice and {@code threads - 1} daemon workers, started once, the others. Each slice has its
 * own workspace, so a step allocates nothing and takes one fork and one join. (Whole clips of a
 * stack over many threads: {@code fdht.kernels.model.Model#score}, which streams chunks of clips
 * through every frame and layer.)
 *
 * <p>A step is all-or-nothing: every slice computes its gate sums first; only when no slice
 * rejected its input does the state change (the gate arithmetic, done by the caller).
 *
 * <p>Memory: the workspaces live in a shared arena of its own, freed by {@link #close}, which also
 * stops the workers. The workers read the frames and the state the caller passes, so those must be
 * readable from any thread (a shared, global or automatic arena's; a confined one is refused with
 * an {@link IllegalArgumentException}); {@link #newState} makes a state that is. Not thread-safe:
 * one caller at a time.
 */
public final class ParallelLstm implements AutoCloseable {
    private static final int SPINS =
            1 << 14; // spin this long before parking: a step is tens of microseconds

    private final Lstm lstm;
    private final Arena arena = Arena.ofShared();
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

    /** Steps of one layer for a batch of {@code batch} rows on {@code threads} threads. */
    public ParallelLstm(Lstm lstm, int batch, int threads) {
        if (threads < 1)
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        if (batch < threads)
            throw new IllegalArgumentException(
                    "batch " + batch + " has fewer rows than threads " + threads);
        this.lstm = lstm;
        this.batch = batch;
        from = new int[threads];
        count = new int[threads];
        work = new LstmWorkspace[threads];
        failures = new Throwable[threads];
        for (int t = 0, at = 0; t < threads; t++) {
            from[t] = at;
            count[t] = batch / threads + (t < batch % threads ? 1 : 0);
            at += count[t];
            work[t] = lstm.newWorkspace(count[t], arena);
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

    /** A zero state for this runner's batch, in its own arena (freed by {@link #close}). */
    public LstmState newState() {
        if (closed) throw new IllegalStateException("this ParallelLstm is closed");
        return lstm.newState(batch, arena);
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
        if (state.batch() != batch)
            throw new IllegalArgumentException(
                    "state has batch " + state.batch() + " but this runner has batch " + batch);
        if (workers.length > 0) {
            requireShared(x, "the frames");
            requireShared(state.h(), "the state");
        }
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

    /** Throws unless the workers can read {@code s}. */
    private void requireShared(MemorySegment s, String what) {
        if (!s.isAccessibleBy(workers[0]))
            throw new IllegalArgumentException(
                    what
                            + " are in an arena confined to thread "
                            + Thread.currentThread().getName()
                            + ": the workers read them, so they must be in a shared, global or"
                            + " automatic arena (ParallelLstm.newState makes such a state)");
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

    /** Slice {@code t}'s share of a step: its rows' projection. */
    private void slice(int t) {
        lstm.project(x, xOff + from[t] * xStride, xStride, slices[t], work[t], -1, from[t]);
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

    /** Stops the workers and frees the workspaces and the states of {@link #newState}. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
        boolean interrupted = false;
        for (Thread w : workers) {
            while (w.isAlive()) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the workers are stopping: wait for them, then free
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        arena.close();
    }
}
