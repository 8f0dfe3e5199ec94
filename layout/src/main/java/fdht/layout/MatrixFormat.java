package fdht.layout;

/**
 * The shape of a compressed weight matrix {@code W} ({@code M x N}, {@code M = prod m_k}, {@code N
 * = prod n_k}): hierarchical Tucker ({@link HtFormat}) or tensor train ({@link TtFormat}), the only
 * two a {@link ContractionPlan} can contract. Sealed, so a switch over the kind of format is
 * checked for completeness.
 *
 * <p>Thread safety: Implementations are immutable and thread-safe.
 */
public sealed interface MatrixFormat permits HtFormat, TtFormat {
    /** d, the number of modes. */
    int order();

    /** m_k, row (output) factor of mode {@code k}, 0-based. */
    int rowFactor(int k);

    /** n_k, column (input) factor of mode {@code k}, 0-based. */
    int colFactor(int k);

    /** m_1..m_d, copied. */
    int[] rowFactors();

    /** n_1..n_d, copied. */
    int[] colFactors();

    /** M, the number of rows. */
    int rows();

    /** N, the number of columns. */
    int cols();

    /** Floats the format stores. */
    long parameterCount();

    /** Tensors the format stores: HT nodes (leaves, then interior nodes by id) or TT cores. */
    int nodeCount();

    /** Floats of node (or core) {@code t}, 0-based. */
    int nodeSize(int t);

    /**
     * The shape of node (or core) {@code t} as model files store it: an HT leaf {@code [m_k, n_k,
     * r_k]}, an HT transfer tensor {@code [r_t, r_l, r_r]}, a TT core {@code [r_{k-1}, m_k, n_k,
     * r_k]}.
     */
    long[] nodeShape(int t);

    /** "HT" or "TT". */
    default String kind() {
        return switch (this) {
            case HtFormat h -> "HT";
            case TtFormat t -> "TT";
        };
    }
}
