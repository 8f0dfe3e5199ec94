package fdht.kernels.format;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;

/**
 * Ranks as a person gives them, the one parser of rank words ({@code fdht convert}, {@code fdht
 * train}): {@code full}, one rank {@code R} for every node, or one per HT node (ids {@code
 * 1..2d-1}, the root last) or TT inner bond ({@code 1..d-1}), comma-separated. Every rank is a
 * maximum: a node never gets more than its matrix can use (the exact rank of its matricization, the
 * product of its children's ranks), so {@code full} is exact at the smallest size that is. Messages
 * say what is wrong; the command line adds which option said it.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RankSpec permits RankSpec.Full, RankSpec.Uniform, RankSpec.PerNode {
    /** The rank column factors are planned for when no single rank is given. */
    int PLANNING_RANK = 4;

    /** {@code full}, {@code R} or {@code r1,r2,...} (positive whole numbers). */
    static RankSpec parse(String text) {
        String t = text.strip();
        if (t.equals("full")) return new Full();
        try {
            int[] r =
                    Arrays.stream(t.split(","))
                            .mapToInt(s -> Integer.parseInt(s.strip()))
                            .toArray();
            for (int v : r) if (v < 1) throw new NumberFormatException();
            return r.length == 1 ? new Uniform(r[0]) : new PerNode(r);
        } catch (NumberFormatException e) {
            throw new FormatSpecException(
                    FormatSpecException.Part.RANKS,
                    "ranks '"
                            + text
                            + "' are not full, a positive whole number or a comma-separated list of them");
        }
    }

    /** The rank the column factors are chosen for (their MACs are estimated at it). */
    int planningRank();

    /** The HT format of these factors and tree at these ranks. */
    HtFormat ht(int[] rowFactors, int[] colFactors, DimensionTree tree);

    /** The TT format of these factors at these ranks. */
    TtFormat tt(int[] rowFactors, int[] colFactors);

    /** Every node at the largest rank it can use: the format holds any matrix exactly. */
    record Full() implements RankSpec {
        @Override
        public int planningRank() {
            return PLANNING_RANK;
        }

        @Override
        public HtFormat ht(int[] rowFactors, int[] colFactors, DimensionTree tree) {
            return HtFormat.withCappedRanks(rowFactors, colFactors, tree, Integer.MAX_VALUE);
        }

        @Override
        public TtFormat tt(int[] rowFactors, int[] colFactors) {
            return TtFormat.withCappedRanks(rowFactors, colFactors, Integer.MAX_VALUE);
        }

        @Override
        public String toString() {
            return "full";
        }
    }

    /** Every node (or bond) at rank {@code rank}, or at most what it can use. */
    record Uniform(int rank) implements RankSpec {
        public Uniform {
            if (rank < 1)
                throw new IllegalArgumentException("rank " + rank + " must be at least 1");
        }

        @Override
        public int planningRank() {
            return rank;
        }

        @Override
        public HtFormat ht(int[] rowFactors, int[] colFactors, DimensionTree tree) {
            return HtFormat.withCappedRanks(rowFactors, colFactors, tree, rank);
        }

        @Override
        public TtFormat tt(int[] rowFactors, int[] colFactors) {
            return TtFormat.withCappedRanks(rowFactors, colFactors, rank);
        }

        @Override
        public String toString() {
            return Integer.toString(rank);
        }
    }

    /**
     * One rank per HT node (by id, the root's last) or per TT inner bond, each at most what it can
     * use; planned for the largest.
     */
    record PerNode(int[] ranks) implements RankSpec {
        public PerNode {
            ranks = ranks.clone();
        }

        @Override
        public int[] ranks() {
            return ranks.clone();
        }

        @Override
        public int planningRank() {
            return Arrays.stream(ranks).max().orElse(PLANNING_RANK);
        }

        @Override
        public HtFormat ht(int[] rowFactors, int[] colFactors, DimensionTree tree) {
            if (ranks.length != tree.nodeCount())
                throw new FormatSpecException(
                        FormatSpecException.Part.RANKS,
                        ranks.length
                                + " ranks for the "
                                + tree.nodeCount()
                                + " nodes of tree "
                                + tree
                                + " (one per node id 1.."
                                + tree.nodeCount()
                                + ", the root's last)");
            return HtFormat.withCappedRanks(rowFactors, colFactors, tree, ranks);
        }

        @Override
        public TtFormat tt(int[] rowFactors, int[] colFactors) {
            if (ranks.length != rowFactors.length - 1)
                throw new FormatSpecException(
                        FormatSpecException.Part.RANKS,
                        ranks.length
                                + " ranks for the "
                                + (rowFactors.length - 1)
                                + " inner bonds of a TT of order "
                                + rowFactors.length);
            return TtFormat.withCappedRanks(rowFactors, colFactors, ranks);
        }

        @Override
        public String toString() {
            return String.join(",", Arrays.stream(ranks).mapToObj(Integer::toString).toList());
        }
    }
}
