package fdht.convert;

/**
 * How far a decomposition may truncate: a maximum rank (for every node or core) and/or a relative
 * Frobenius tolerance {@code eps} for the whole matrix, shared out over the truncations as the HT
 * (Grasedyck) and TT (Oseledets) error bounds prescribe.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param maxRank largest rank kept anywhere; {@code Integer.MAX_VALUE} for none
 * @param tolerance relative error budget; 0 keeps every nonzero singular value
 */
public record Truncation(int maxRank, double tolerance, int[] nodeRanks) {
    public Truncation {
        if (maxRank < 1)
            throw new IllegalArgumentException("maximum rank " + maxRank + " must be at least 1");
        if (!(tolerance >= 0))
            throw new IllegalArgumentException("tolerance " + tolerance + " must be non-negative");
        if (nodeRanks != null) {
            nodeRanks = nodeRanks.clone();
            for (int i = 0; i < nodeRanks.length; i++) {
                if (nodeRanks[i] < 1)
                    throw new IllegalArgumentException(
                            "maximum rank "
                                    + nodeRanks[i]
                                    + " of node "
                                    + (i + 1)
                                    + " must be at least 1");
            }
        }
    }

    public Truncation(int maxRank, double tolerance) {
        this(maxRank, tolerance, null);
    }

    public static Truncation rank(int maxRank) {
        return new Truncation(maxRank, 0);
    }

    public static Truncation tolerance(double eps) {
        return new Truncation(Integer.MAX_VALUE, eps);
    }

    /** Full ranks: exact up to rounding. */
    public static Truncation full() {
        return new Truncation(Integer.MAX_VALUE, 0);
    }

    /** A maximum rank per node (HT: by node id 1..2d-1; TT: by bond 1..d-1), plus a tolerance. */
    public static Truncation perNode(int[] ranks, double eps) {
        return new Truncation(Integer.MAX_VALUE, eps, ranks);
    }

    /** This truncation's cap for node (or bond) {@code index}, 0-based. */
    int capOf(int index) {
        if (nodeRanks == null) return maxRank;
        if (index >= nodeRanks.length)
            throw new IllegalArgumentException(
                    nodeRanks.length + " ranks were given but node " + (index + 1) + " needs one");
        return nodeRanks[index];
    }

    /**
     * The rank to keep from singular values {@code sigma} (descending): at most {@code cap} and
     * {@code maxRank}, and the smallest whose discarded tail has norm at most {@code budget}.
     * Singular values below {@code 1e-12} of the largest count as zero.
     */
    int choose(double[] sigma, int cap, double budget, int index) {
        int limit = Math.min(Math.min(cap, capOf(index)), sigma.length);
        double floor = sigma.length == 0 ? 0 : sigma[0] * 1e-12;
        int r = limit;
        double tail = 0;
        for (int k = sigma.length - 1; k >= 0; k--) {
            if (k < limit && sigma[k] > floor && Math.sqrt(tail + sigma[k] * sigma[k]) > budget)
                break;
            tail += sigma[k] * sigma[k];
            if (k <= limit) r = k;
        }
        return Math.max(1, Math.min(r, limit));
    }
}
