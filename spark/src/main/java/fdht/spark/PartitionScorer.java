package fdht.spark;

import fdht.kernels.Kernels;
import fdht.kernels.model.Model;
import fdht.kernels.model.PredictOptions;
import fdht.kernels.model.Prediction;
import fdht.kernels.model.Predictor;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What one Spark partition needs to score clips: a {@link Predictor} of the shared {@link Model}
 * ({@link ExecutorModels}), made on the task thread, and a native input buffer in a confined arena.
 * Clips run through the predictor a chunk of at most {@code batch} at a time, every layer and
 * direction over the chunk's whole clips, so per clip the result is exactly what {@code fdht infer}
 * computes for that clip (the kernels' sums do not depend on the batch).
 *
 * <p>Cost: the predictor's buffers and workspaces grow to the largest chunk and longest clip seen;
 * the input buffer holds {@code batch} clips of the longest clip seen (it grows, and the arena
 * keeps the old one until close, when the clip length grows within a partition). Not thread-safe:
 * it belongs to the thread that created it (the task thread), which must also {@link #close} it.
 */
final class PartitionScorer implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final Model model;
    private final int batch;
    private final boolean hidden;
    private final Kernels kernels;
    private final Arena arena = Arena.ofConfined();
    private final Predictor predictor;
    private final float[] logits; // [batch][C], when only the logits are asked for
    private MemorySegment input;
    private long inputFloats;
    private boolean closed;

    /**
     * A scorer of {@code model} for chunks of at most {@code batch} clips, keeping each clip's last
     * output frame ({@code D*H} floats) when {@code hidden} (always, for a model without a head).
     */
    PartitionScorer(Model model, int batch, boolean hidden) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        this.model = model;
        this.batch = batch;
        this.hidden = hidden || !model.hasHead();
        this.kernels = model.stack().layer(0, 0).kernels();
        this.predictor = model.newPredictor(PredictOptions.DEFAULT.withHidden(this.hidden));
        this.logits = this.hidden ? null : new float[batch * model.classes()];
        OPEN.incrementAndGet();
    }

    /**
     * A scorer for the running task (if any), closed by a task-completion listener at the latest.
     * Call on the task thread.
     */
    static PartitionScorer forTask(Model model, int batch, boolean hidden) {
        PartitionScorer s = new PartitionScorer(model, batch, hidden);
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

    /** The model's frame width {@code N_x}. */
    int inputSize() {
        return model.inputSize();
    }

    Kernels kernels() {
        return kernels;
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
     * from float {@code offset} of the native segment {@code clips} (read in place), from the zero
     * state, and stores each clip's logits (if the model has a head) and last output frame (if
     * asked) into {@code out[at..]}.
     */
    void run(MemorySegment clips, long offset, int n, int frames, ClipScore[] out, int at) {
        if (closed) throw new IllegalStateException("partition scorer is closed");
        if (n < 1 || n > batch)
            throw new IllegalArgumentException(n + " clips do not fit batch " + batch);
        long floats = (long) n * frames * model.inputSize();
        MemorySegment chunk = clips.asSlice(offset * Float.BYTES, floats * Float.BYTES);
        if (!hidden) { // logits only: the predictor's zero-allocation form, one array per chunk
            int c = model.classes();
            predictor.logits(chunk, n, frames, logits);
            for (int b = 0; b < n; b++)
                out[at + b] = ClipScore.of(Arrays.copyOfRange(logits, b * c, (b + 1) * c), null);
            return;
        }
        List<Prediction> p = predictor.predictBatch(chunk, n, frames);
        for (int b = 0; b < n; b++) {
            Prediction q = p.get(b);
            out[at + b] =
                    ClipScore.of(
                            q.hasLogits() ? q.logits() : null,
                            hidden ? q.lastHidden().orElseThrow() : null);
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
        predictor.close();
        arena.close();
        closed = true;
        OPEN.decrementAndGet();
    }
}
