package fdht.layout;

import java.util.Arrays;

/**
 * The shape of a tensor-train (TT) matrix, the format TIE runs: cores {@code G_k} of shape {@code
 * r_{k-1} x m_k x n_k x r_k} with {@code r_0 = r_d = 1}. {@code bondRanks[k]} is {@code r_k} for
 * {@code k = 0..d}. Immutable; equal when factors and ranks are.
 */
public final class TtFormat extends MatrixFormat {
    private final int[] bondRanks;

    public TtFormat(int[] rowFactors, int[] colFactors, int[] bondRanks) {
        super(rowFactors, colFactors);
        this.bondRanks = bondRanks.clone();
        int d = rowFactors.length;
        if (d < DimensionTree.MIN_ORDER || d > DimensionTree.MAX_ORDER) {
            throw new IllegalArgumentException(
                    "order d="
                            + d
                            + " is outside "
                            + DimensionTree.MIN_ORDER
                            + ".."
                            + DimensionTree.MAX_ORDER);
        }
        if (colFactors.length != d)
            throw new IllegalArgumentException(
                    d + " row factors but " + colFactors.length + " column factors");
        if (bondRanks.length != d + 1)
            throw new IllegalArgumentException(
                    "a TT of order "
                            + d
                            + " needs "
                            + (d + 1)
                            + " bond ranks, got "
                            + bondRanks.length);
        requirePositiveFactors();
        if (bondRanks[0] != 1 || bondRanks[d] != 1)
            throw new IllegalArgumentException(
                    "TT bond ranks r0 and r" + d + " must be 1, got " + Arrays.toString(bondRanks));
        for (int k = 1; k < d; k++) {
            if (bondRanks[k] < 1)
                throw new IllegalArgumentException(
                        "TT bond rank r" + k + "=" + bondRanks[k] + " must be at least 1");
        }
        long m = 1, n = 1;
        for (int k = 0; k < d; k++) {
            m *= rowFactors[k];
            n *= colFactors[k];
        }
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("TT matrix " + m + "x" + n + " is too large");
    }

    /**
     * Every interior bond rank set to {@code rank}, lowered where a larger rank would be redundant
     * (see {@link #withCappedRanks(int[], int[], int[])}).
     */
    public static TtFormat withCappedRanks(int[] rowFactors, int[] colFactors, int rank) {
        if (rank < 1) throw new IllegalArgumentException("rank " + rank + " must be at least 1");
        int[] r = new int[Math.max(0, rowFactors.length - 1)];
        Arrays.fill(r, rank);
        return withCappedRanks(rowFactors, colFactors, r);
    }

    /**
     * Inner bond {@code k} (1..d-1) at rank {@code maxRanks[k-1]}, lowered where a larger rank
     * would be redundant: above {@code r_{k-1} m_k n_k} or above the size of the modes right of the
     * bond, what TT-SVD can keep.
     */
    public static TtFormat withCappedRanks(int[] rowFactors, int[] colFactors, int[] maxRanks) {
        int d = rowFactors.length;
        if (colFactors.length != d)
            throw new IllegalArgumentException(
                    d + " row factors but " + colFactors.length + " column factors");
        if (maxRanks.length != d - 1)
            throw new IllegalArgumentException(
                    "a TT of order "
                            + d
                            + " has "
                            + (d - 1)
                            + " inner bonds but "
                            + maxRanks.length
                            + " ranks were given");
        int[] r = new int[d + 1];
        r[0] = 1;
        r[d] = 1;
        for (int k = 1; k < d; k++) {
            if (maxRanks[k - 1] < 1)
                throw new IllegalArgumentException(
                        "rank " + maxRanks[k - 1] + " of bond " + k + " must be at least 1");
            long right = 1;
            for (int i = k; i < d; i++) right *= (long) rowFactors[i] * colFactors[i];
            long left = (long) r[k - 1] * rowFactors[k - 1] * colFactors[k - 1];
            r[k] = (int) Math.max(1, Math.min(maxRanks[k - 1], Math.min(left, right)));
        }
        return new TtFormat(rowFactors, colFactors, r);
    }

    /** Every interior bond rank set to {@code rank}. */
    public static TtFormat uniform(int[] rowFactors, int[] colFactors, int rank) {
        int[] r = new int[rowFactors.length + 1];
        Arrays.fill(r, rank);
        r[0] = 1;
        r[rowFactors.length] = 1;
        return new TtFormat(rowFactors, colFactors, r);
    }

    public int bondRank(int k) {
        return bondRanks[k];
    }

    /** {@code r_0..r_d}, copied. */
    public int[] bondRanks() {
        return bondRanks.clone();
    }

    /** Floats in core k. */
    public int coreSize(int k) {
        return bondRanks[k] * rowFactors[k] * colFactors[k] * bondRanks[k + 1];
    }

    @Override
    public int nodeCount() {
        return order();
    }

    @Override
    public int nodeSize(int k) {
        return coreSize(k);
    }

    @Override
    public long[] nodeShape(int k) {
        return new long[] {bondRanks[k], rowFactors[k], colFactors[k], bondRanks[k + 1]};
    }

    @Override
    public long parameterCount() {
        long p = 0;
        for (int k = 0; k < order(); k++) p += coreSize(k);
        return p;
    }

    /** The factors and bond ranks: all that identifies a TT format. */
    private int[][] shape() {
        return new int[][] {rowFactors, colFactors, bondRanks};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TtFormat f && Arrays.deepEquals(f.shape(), shape());
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(shape());
    }

    @Override
    public String toString() {
        return "TT " + factorsText() + " ranks=" + Arrays.toString(bondRanks);
    }
}
