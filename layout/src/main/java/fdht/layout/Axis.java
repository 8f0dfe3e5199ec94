package fdht.layout;

/**
 * One axis of an intermediate tensor of a contraction plan.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param kind what the axis indexes
 * @param id the mode (for ROW and COL), the tree node (for RANK) or the TT bond (for BOND); 0 for
 *     BATCH
 * @param size its extent
 */
public record Axis(Kind kind, int id, int size) {
    public enum Kind {
        BATCH,
        COL,
        ROW,
        RANK,
        BOND
    }

    public Axis {
        if (size < 1) throw new IllegalArgumentException("axis " + kind + id + " has size " + size);
    }

    public static Axis batch(int size) {
        return new Axis(Kind.BATCH, 0, size);
    }

    public static Axis col(int mode, int size) {
        return new Axis(Kind.COL, mode, size);
    }

    public static Axis row(int mode, int size) {
        return new Axis(Kind.ROW, mode, size);
    }

    public static Axis rank(int node, int size) {
        return new Axis(Kind.RANK, node, size);
    }

    public static Axis bond(int k, int size) {
        return new Axis(Kind.BOND, k, size);
    }

    /**
     * Short name: b, j3 (input mode 3), i3 (output mode 3), a5 (rank of tree node 5, 1-based ids as
     * in HtFormat.nodeName), t2 (TT bond 2); 1-based modes.
     */
    public String name() {
        return switch (kind) {
            case BATCH -> "b";
            case COL -> "j" + (id + 1);
            case ROW -> "i" + (id + 1);
            case RANK -> "a" + (id + 1);
            case BOND -> "t" + id;
        };
    }

    @Override
    public String toString() {
        return name() + ":" + size;
    }
}
