package fdht.kernels.decompose;

import fdht.layout.ColumnFactorization;

/**
 * The default row and column factors of an LSTM gate matrix {@code 4H x (N_x + H)}, as {@code fdht
 * convert} chooses them (the bundled demo model does not: it takes the accelerator workload's
 * 8x20x20x19, the published input factors with {@code h}). Rows: {@code H} split evenly into {@code
 * d} factors, the first times the 4 gates (16x4x4x4 for H = 256). Columns: the cheapest balanced
 * factors ({@link ColumnFactorization#cheapest}) under {@link #PADDING}, {@link #MAX_FACTOR} and
 * {@link #MAX_RATIO}; small layers that cannot be balanced so are tried with looser bounds, in
 * order, until one fits, and the tiniest get {@code 2 x .. x 2 x k}. Costs tens of milliseconds for
 * d = 4.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class GateFactors {
    /** Zero-padding allowed, relative to the columns: 6%. */
    public static final double PADDING = 0.06;

    /** Largest column factor. */
    public static final int MAX_FACTOR = 32;

    /** Largest factor over smallest factor. */
    public static final double MAX_RATIO = 3;

    /**
     * The looser searches, in order, when nothing fits the defaults: {padding, max factor, max
     * ratio}.
     */
    private static final double[][] FALLBACKS = {{0.25, 64, 8}, {1.0, 1 << 12, 1 << 12}};

    private GateFactors() {}

    /**
     * {@code H} split evenly into {@code d} factors, the first times the 4 gates (gate-major rows).
     */
    public static int[] rows(int hidden, int d) {
        int[] f = ColumnFactorization.exact(hidden, d);
        f[0] *= 4;
        return f;
    }

    /**
     * The cheapest balanced column factors covering {@code cols} for these row factors at uniform
     * {@code rank}, the defaults first.
     */
    public static int[] columns(int cols, int[] rowFactors, int rank) {
        try {
            return ColumnFactorization.cheapest(
                    cols, rowFactors, rank, PADDING, MAX_FACTOR, MAX_RATIO);
        } catch (IllegalArgumentException e) {
            // small layers cannot be balanced within 6%: loosen
        }
        for (double[] t : FALLBACKS) {
            try {
                return ColumnFactorization.cheapest(cols, rowFactors, rank, t[0], (int) t[1], t[2]);
            } catch (IllegalArgumentException e) {
                // try the next, looser search
            }
        }
        // tiny layers (N_x + H below 2^d, say): 2 x .. x 2 x k, whatever the padding
        int d = rowFactors.length;
        int[] f = new int[d];
        java.util.Arrays.fill(f, 2);
        long rest = 1L << (d - 1);
        f[d - 1] = (int) Math.max(2, (cols + rest - 1) / rest);
        return f;
    }
}
