package fdht.spark;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What one Spark partition needs to score clips: a confined arena holding the partition's own
 * states, workspaces (one pair per batch size used, at most {@code batch} pairs), the input buffer
 * and the output buffers. The model is shared ({@link ExecutorModels}). Clips of a batch run
 * together through {@link Lstm#run}, so per clip the result is exactly what {@code fdht infer}
 * computes for that clip.
 *
 * <p>Cost: the buffers are allocated on first use and reused; the input buffer holds {@code batch}
 * clips of the longest clip seen (it grows, and the arena keeps the old one until close, when the
 * clip length grows within a partition). Not thread-safe: it belongs to the thread that created it
 * (the task thread), which must also {@link #close} it.
 */
final class PartitionScorer implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final Lstm lstm;
    private final int batch;
    private final int classes;
    private final Arena arena = Arena.ofConfined();
    private final LstmState[] states;
    private final LstmWorkspace[] workspaces;
    private final MemorySegment logits;
    private MemorySegment input;
    private long inputFloats;
    private boolean closed;

    PartitionScorer(Lstm lstm, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        this.lstm = lstm;
        this.batch = batch;
        this.classes = lstm.head().map(h -> h.classes()).orElse(0);
        this.states = new LstmState[batch + 1];
        this.workspaces = new LstmWorkspace[batch + 1];
        this.logits = Weights.floats(arena, (long) batch * Math.max(classes, 1));
        OPEN.incrementAndGet();
    }

    /**
     * A scorer for the running task (if any), closed by a task-completion listener at the latest.
     * Call on the task thread.
     */
    static PartitionScorer forTask(Lstm lstm, int batch) {
        PartitionScorer s = new PartitionScorer(lstm, batch);
        TaskContext tc = TaskContext.get();
        if (tc != null) tc.addTaskCompletionListener((TaskCompletionListener) ctx -> s.close());
        return s;
    }

    /** Partition scorers whose arena is open in this JVM now (a leak shows here). */
    static int open() {
        return OPEN.get();
    }

    int batch() {
        return batch;
    }

    Lstm lstm() {
        return lstm;
    }

    Kernels kernels() {
        return lstm.kernels();
    }

    /**
     * A native buffer of at least {@code floats} floats for input rows; its content is kept only
     * while its size suffices.
     */
    MemorySegment inputBuffer(long floats) {
        if (floats > inputFloats) {
            input = Weights.floats(arena, floats);
            inputFloats = floats;
        }
        return input;
    }

    /**
     * Runs {@code n <= batch} clips of {@code frames} frames, laid out {@code [n][frames][N_x]}
     * from float {@code offset} of {@code clips}, from the zero state, and stores each clip's
     * logits (if the model has a head) and final hidden state (if asked) into {@code out[at..]}.
     */
    void run(
            MemorySegment clips,
            long offset,
            int n,
            int frames,
            boolean wantHidden,
            ClipScore[] out,
            int at) {
        if (closed) throw new IllegalStateException("partition scorer is closed");
        if (n < 1 || n > batch)
            throw new IllegalArgumentException(n + " clips do not fit batch " + batch);
        if (states[n] == null) {
            states[n] = lstm.newState(n, arena);
            workspaces[n] = lstm.newWorkspace(n, arena);
        }
        LstmState state = states[n];
        state.reset();
        lstm.run(clips.asSlice(offset * Float.BYTES), frames, state, workspaces[n], null);
        if (classes > 0) lstm.logits(state, logits);
        int hidden = lstm.hiddenSize();
        for (int b = 0; b < n; b++) {
            float[] l = classes > 0 ? Weights.toArray(logits, (long) b * classes, classes) : null;
            float[] h = wantHidden ? Weights.toArray(state.h(), (long) b * hidden, hidden) : null;
            out[at + b] = ClipScore.of(l, h);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Frees the partition's native memory; idempotent. Must run on the thread that created this
     * scorer.
     */
    @Override
    public void close() {
        if (closed) return;
        arena.close();
        closed = true;
        OPEN.decrementAndGet();
    }
}
