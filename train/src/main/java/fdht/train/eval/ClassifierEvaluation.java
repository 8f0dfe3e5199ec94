package fdht.train.eval;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.model.BulkOptions;
import fdht.kernels.model.ClipSource;
import fdht.kernels.model.Model;
import fdht.train.data.LabelledClips;
import java.lang.foreign.ValueLayout;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs an LSTM with a head (one layer, or a stack of layers and directions) over labelled clips
 * through the model API's bulk scoring ({@link Model#score}: chunks of clips, each through all its
 * frames, spread over {@code threads} cores), and scores the head's arg-max at the last frame
 * against the labels: accuracy and mean cross-entropy. Memory is one chunk of clips and one stack
 * workspace per thread, plus one label per clip, whatever the number of clips (a 60,000-clip epoch
 * streams).
 *
 * <p>Cost: {@code count x frames} LSTM steps plus the head. Thread safety: stateless; each call
 * owns its buffers (the model is shared read-only).
 */
public final class ClassifierEvaluation {
    /**
     * The accuracy, the mean cross-entropy (natural log) of the softmax of the logits, and per
     * class of the head the clips of that label and how many of them were classified right.
     */
    public record Result(
            Accuracy accuracy, double crossEntropy, long[] correctByClass, long[] countByClass) {
        /**
         * The classes with clips, lowest recall first (ties: more clips first, then the lower
         * index), at most {@code k} of them.
         */
        public int[] weakest(int k) {
            return IntStream.range(0, countByClass.length)
                    .filter(c -> countByClass[c] > 0)
                    .boxed()
                    .sorted(
                            Comparator.<Integer>comparingDouble(
                                            c -> (double) correctByClass[c] / countByClass[c])
                                    .thenComparing(c -> -countByClass[c])
                                    .thenComparing(c -> c))
                    .limit(k)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }

        @Override
        public String toString() {
            return accuracy + String.format(", mean cross-entropy %.4f", crossEntropy);
        }
    }

    private ClassifierEvaluation() {}

    /**
     * Scores {@code lstm} on every clip of {@code clips}, {@code chunk} clips at a time (0:
     * automatic). Throws {@link IllegalArgumentException} when the model has no head, its input
     * size is not the clips' frame size, or the labels go beyond the head's classes.
     */
    public static Result evaluate(Lstm lstm, LabelledClips clips, int chunk, int threads) {
        return evaluate(LstmStack.single(lstm), clips, chunk, threads);
    }

    /**
     * As {@link #evaluate(Lstm, LabelledClips, int, int)}, for a stack: its head reads the last
     * layer's output at the last frame.
     */
    public static Result evaluate(LstmStack lstm, LabelledClips clips, int chunk, int threads) {
        return evaluate(Model.of(lstm, List.of()), clips, chunk, threads);
    }

    /** As {@link #evaluate(Lstm, LabelledClips, int, int)}, for a loaded model. */
    public static Result evaluate(Model model, LabelledClips clips, int chunk, int threads) {
        if (!model.hasHead())
            throw new IllegalArgumentException(
                    "the model has no head (a classifier needs head.weight and head.bias: see docs/FORMAT.md)");
        requireFits(clips, model.inputSize(), model.classes());
        if (chunk < 0 || threads < 1)
            throw new IllegalArgumentException(
                    "chunk "
                            + chunk
                            + " and threads "
                            + threads
                            + ": expected chunk >= 0 (0: automatic) and threads >= 1");
        long count = clips.count();
        int classes = model.classes();
        long[] right = new long[classes], seen = new long[classes];
        if (count == 0) return new Result(new Accuracy(0, 0), Double.NaN, right, seen);
        if (count > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(count + " clips: at most 2^31 - 9 per evaluation");
        int[] labels = new int[(int) count]; // filled by the thread that runs each chunk
        ClipSource source =
                ClipSource.of(
                        count,
                        clips.frames(),
                        clips.frameSize(),
                        (first, n, into) -> {
                            int[] some = new int[n];
                            clips.fill(first, n, into, some);
                            System.arraycopy(some, 0, labels, (int) first, n);
                        });
        long[] correct = {0};
        double[] loss = {0};
        model.score(
                source,
                BulkOptions.DEFAULT.withThreads(threads).withChunk(chunk),
                (first, n, logits, hidden) -> {
                    for (int b = 0; b < n; b++) {
                        int label = labels[(int) first + b];
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
                        seen[label]++;
                        if (best == label && top > Float.NEGATIVE_INFINITY) {
                            correct[0]++;
                            right[label]++;
                        }
                        double sum = 0; // log-sum-exp shifted by the maximum
                        for (int k = 0; k < classes; k++)
                            sum +=
                                    Math.exp(
                                            logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + k)
                                                    - (double) top);
                        loss[0] +=
                                Math.log(sum)
                                        + top
                                        - logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + label);
                    }
                });
        return new Result(new Accuracy(correct[0], count), loss[0] / count, right, seen);
    }

    /**
     * Throws unless the clips' frames are {@code inputSize} wide and their labels within a head of
     * {@code classes} outputs; shared with {@link FixedPointEvaluation}.
     */
    static void requireFits(LabelledClips clips, int inputSize, int classes) {
        if (clips.frameSize() != inputSize)
            throw new IllegalArgumentException(
                    "clip frames are "
                            + clips.frameSize()
                            + " wide but the model takes N_x = "
                            + inputSize);
        if (clips.classes() > classes)
            throw new IllegalArgumentException(
                    "labels go up to "
                            + (clips.classes() - 1)
                            + " but the model's head has "
                            + classes
                            + " classes");
    }
}
