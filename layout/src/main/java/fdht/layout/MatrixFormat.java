package fdht.layout;

import java.util.Arrays;

/**
 * The shape of a compressed weight matrix {@code W} ({@code M x N}, {@code M = prod m_k}, {@code N
 * = prod n_k}): hierarchical Tucker ({@link HtFormat}) or tensor train ({@link TtFormat}), the only
 * two a {@link ContractionPlan} can contract. Sealed, so a switch over the kind of format is
 * checked for completeness. An abstract class rather than an interface so that the row and column
 * factors every format has, their accessors and their checks, live here once.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public abstract sealed class MatrixFormat permits HtFormat, TtFormat {
    /** m_1..m_d, owned (copied in); the subclasses read them, nothing writes them. */
    final int[] rowFactors;

    /** n_1..n_d, owned likewise. */
    final int[] colFactors;

    MatrixFormat(int[] rowFactors, int[] colFactors) {
        this.rowFactors = rowFactors.clone();
        this.colFactors = colFactors.clone();
    }

    /**
     * Throws unless every factor is at least 1, naming the first that is not; the subclasses call
     * it once they have checked that there are {@code d} of each.
     */
    final void requirePositiveFactors() {
        for (int k = 0; k < rowFactors.length; k++) {
            if (rowFactors[k] < 1)
                throw new IllegalArgumentException(
                        "row factor m" + (k + 1) + "=" + rowFactors[k] + " must be at least 1");
            if (colFactors[k] < 1)
                throw new IllegalArgumentException(
                        "column factor n" + (k + 1) + "=" + colFactors[k] + " must be at least 1");
        }
    }

    /** d, the number of modes. */
    public final int order() {
        return rowFactors.length;
    }

    /** m_k, row (output) factor of mode {@code k}, 0-based. */
    public final int rowFactor(int k) {
        return rowFactors[k];
    }

    /** n_k, column (input) factor of mode {@code k}, 0-based. */
    public final int colFactor(int k) {
        return colFactors[k];
    }

    /** m_1..m_d, copied. */
    public final int[] rowFactors() {
        return rowFactors.clone();
    }

    /** n_1..n_d, copied. */
    public final int[] colFactors() {
        return colFactors.clone();
    }

    /** M, the number of rows. */
    public final int rows() {
        return product(rowFactors);
    }

    /** N, the number of columns. */
    public final int cols() {
        return product(colFactors);
    }

    private static int product(int[] f) {
        int p = 1;
        for (int x : f) p *= x;
        return p;
    }

    /** Floats the format stores. */
    public abstract long parameterCount();

    /** Tensors the format stores: HT nodes (leaves, then interior nodes by id) or TT cores. */
    public abstract int nodeCount();

    /** Floats of node (or core) {@code t}, 0-based. */
    public abstract int nodeSize(int t);

    /**
     * The shape of node (or core) {@code t} as model files store it: an HT leaf {@code [m_k, n_k,
     * r_k]}, an HT transfer tensor {@code [r_t, r_l, r_r]}, a TT core {@code [r_{k-1}, m_k, n_k,
     * r_k]}.
     */
    public abstract long[] nodeShape(int t);

    /** "HT" or "TT". */
    public String kind() {
        return switch (this) {
            case HtFormat h -> "HT";
            case TtFormat t -> "TT";
        };
    }

    /** {@code "MxN m=[..] n=[..]"}, the part of {@code toString} every format shares. */
    final String factorsText() {
        return rows()
                + "x"
                + cols()
                + " m="
                + Arrays.toString(rowFactors)
                + " n="
                + Arrays.toString(colFactors);
    }
}
