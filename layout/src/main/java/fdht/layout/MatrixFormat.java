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

    /** M, the number of rows. */
    int rows();

    /** N, the number of columns. */
    int cols();

    /** Floats the format stores. */
    long parameterCount();

    /** "HT" or "TT". */
    default String kind() {
        return switch (this) {
            case HtFormat h -> "HT";
            case TtFormat t -> "TT";
        };
    }
}
