package fdht.kernels.model;

/**
 * How a {@link Predictor} is made: whether its {@link Prediction}s keep the last hidden state
 * ({@code hidden}), and whether its buffers are fixed at construction for at most {@code maxBatch}
 * clips of at most {@code maxFrames} frames ({@code 0, 0}: they grow with the first larger batch or
 * longer clip, allocating only then). Immutable; {@link #DEFAULT} keeps no hidden state and grows.
 *
 * @param hidden whether predictions carry {@link Prediction#lastHidden()}
 * @param maxBatch the largest batch a fixed predictor takes, 0 for a growing one
 * @param maxFrames the longest clip a fixed predictor takes, 0 for a growing one
 */
public record PredictOptions(boolean hidden, int maxBatch, int maxFrames) {
    /** No hidden state kept; buffers grow on demand. */
    public static final PredictOptions DEFAULT = new PredictOptions(false, 0, 0);

    /** Checks the sizes: both at least 1, or both 0. */
    public PredictOptions {
        if (maxBatch < 0 || maxFrames < 0 || (maxBatch == 0) != (maxFrames == 0))
            throw new IllegalArgumentException(
                    "maxBatch "
                            + maxBatch
                            + " and maxFrames "
                            + maxFrames
                            + ": expected both at least 1 (a fixed predictor) or both 0 (a growing one)");
    }

    /**
     * These options with predictions that keep (or not) the last hidden state.
     *
     * @param keep whether predictions carry {@link Prediction#lastHidden()}
     * @return the new options
     */
    public PredictOptions withHidden(boolean keep) {
        return new PredictOptions(keep, maxBatch, maxFrames);
    }

    /**
     * These options with buffers fixed at construction: larger batches and longer clips are
     * refused.
     *
     * @param maxBatch the largest batch, at least 1
     * @param maxFrames the longest clip, at least 1
     * @return the new options
     */
    public PredictOptions withFixedSize(int maxBatch, int maxFrames) {
        if (maxBatch < 1 || maxFrames < 1)
            throw new IllegalArgumentException(
                    "a fixed predictor needs maxBatch >= 1 and maxFrames >= 1, got "
                            + maxBatch
                            + " and "
                            + maxFrames);
        return new PredictOptions(hidden, maxBatch, maxFrames);
    }

    /**
     * Whether the buffers are fixed at construction.
     *
     * @return true for a fixed predictor
     */
    public boolean fixed() {
        return maxBatch > 0;
    }
}
