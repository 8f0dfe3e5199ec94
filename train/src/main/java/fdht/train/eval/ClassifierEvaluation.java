package fdht.train.eval;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.ParallelLstm;
import fdht.train.data.ClipBatch;
import fdht.train.data.LabelledClips;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs an LSTM with a head (one layer, or a stack of layers and directions) over labelled clips, a
 * batch at a time through the kernels (split over {@code threads} cores by {@link ParallelLstm}),
 * and scores the head's arg-max at the last frame against the labels: accuracy and mean
 * cross-entropy. Memory is one batch of clips and one stack workspace per thread, whatever the
 * number of clips (a 60,000-clip epoch streams); the last, partial batch runs padded with the
 * previous clips, which are not counted.
 *
 * <p>Cost: {@code count x frames} LSTM steps plus the head. Thread safety: stateless; each call
 * owns its buffers (the model is shared read-only).
 */
public final class ClassifierEvaluation {
    /** The accuracy and the mean cross-entropy (natural log) of the softmax of the logits. */
    public record Result(Accuracy accuracy, double crossEntropy) {
        @Override
        public String toString() {
            return accuracy + String.format(", mean cross-entropy %.4f", crossEntropy);
        }
    }

    private ClassifierEvaluation() {}

    /**
     * Scores {@code lstm} on every clip of {@code clips}. Throws {@link IllegalArgumentException}
     * when the model has no head, its input size is not the clips' frame size, or the labels go
     * beyond the head's classes.
     */
    public static Result evaluate(Lstm lstm, LabelledClips clips, int batch, int threads) {
        return evaluate(LstmStack.single(lstm), clips, batch, threads);
    }

    /**
     * As {@link #evaluate(Lstm, LabelledClips, int, int)}, for a stack: its head reads the last
     * layer's output at the last frame.
     */
    public static Result evaluate(LstmStack lstm, LabelledClips clips, int batch, int threads) {
        DenseHead head =
                lstm.head()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the model has no head (a classifier needs head.weight and head.bias: see docs/FORMAT.md)"));
        if (clips.frameSize() != lstm.inputSize()) {
            throw new IllegalArgumentException(
                    "clip frames are "
                            + clips.frameSize()
                            + " wide but the model takes N_x = "
                            + lstm.inputSize());
        }
        if (clips.classes() > head.classes()) {
            throw new IllegalArgumentException(
                    "labels go up to "
                            + (clips.classes() - 1)
                            + " but the model's head has "
                            + head.classes()
                            + " classes");
        }
        if (batch < 1 || threads < 1)
            throw new IllegalArgumentException(
                    "batch " + batch + " and threads " + threads + " must be at least 1");
        long count = clips.count();
        if (count == 0) return new Result(new Accuracy(0, 0), Double.NaN);
        int rows = (int) Math.min(batch, count);
        int workers = Math.min(threads, rows);
        int frames = clips.frames(), classes = head.classes();
        long correct = 0;
        double loss = 0;
        try (Arena arena = Arena.ofShared();
                ParallelLstm runner = new ParallelLstm(lstm, rows, frames, workers, arena)) {
            ClipBatch buf = ClipBatch.of(clips, rows, arena);
            MemorySegment logits = arena.allocate((long) rows * classes * Float.BYTES, 64);
            for (long first = 0; first < count; first += rows) {
                int n = (int) Math.min(rows, count - first);
                buf.load(clips, first, n);
                runner.run(buf.clips(), frames, null, logits);
                for (int b = 0; b < n; b++) {
                    int label = buf.labels()[b];
                    long row = (long) b * classes;
                    int best = 0;
                    float top = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < classes; k++) {
                        float v = logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + k);
                        if (v > top) {
                            top = v;
                            best = k;
                        }
                    }
                    if (best == label && top > Float.NEGATIVE_INFINITY) correct++;
                    double sum = 0; // log-sum-exp shifted by the maximum
                    for (int k = 0; k < classes; k++)
                        sum +=
                                Math.exp(
                                        logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + k)
                                                - (double) top);
                    loss +=
                            Math.log(sum)
                                    + top
                                    - logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + label);
                }
            }
        }
        return new Result(new Accuracy(correct, count), loss / count);
    }
}
