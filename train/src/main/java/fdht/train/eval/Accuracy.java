package fdht.train.eval;

/**
 * {@code correct} right answers out of {@code count}, with the Wilson score interval (the one that
 * stays inside [0, 1] and keeps its coverage near 0 and 1 and for small counts).
 *
 * <p>Thread safety: Immutable.
 */
public record Accuracy(long correct, long count) {
    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    public Accuracy {
        if (count < 0 || correct < 0 || correct > count)
            throw new IllegalArgumentException(correct + " correct of " + count);
    }

    /** The fraction correct, NaN for no clips. */
    public double fraction() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** The lower end of the 95% Wilson interval. */
    public double low95() {
        return wilson(-1);
    }

    /** The upper end of the 95% Wilson interval. */
    public double high95() {
        return wilson(1);
    }

    private double wilson(int sign) {
        if (count == 0) return Double.NaN;
        double n = count, p = fraction(), z2 = Z95 * Z95;
        double centre = p + z2 / (2 * n),
                spread = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return Math.clamp((centre + sign * spread) / (1 + z2 / n), 0.0, 1.0);
    }

    /** For example {@code accuracy 81.23% (8,123 of 10,000), 95% interval [80.45%, 81.98%]}. */
    @Override
    public String toString() {
        return String.format(
                "accuracy %.2f%% (%,d of %,d), 95%% interval [%.2f%%, %.2f%%] (Wilson)",
                100 * fraction(), correct, count, 100 * low95(), 100 * high95());
    }
}
