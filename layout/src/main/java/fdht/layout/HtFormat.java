package fdht.layout;

import java.util.Arrays;

/**
 * The shape of an HT matrix: row factors {@code m}, column factors {@code n}, a dimension tree and
 * one rank per tree node (DESIGN.md section 1).
 *
 * <p>{@code W} is {@code M x N}, {@code M = prod m_k}, {@code N = prod n_k}. Leaf {@code k} holds a
 * frame {@code U_k} of shape {@code m_k x n_k x r_k}; interior node {@code t} with children {@code
 * l, r} holds a transfer tensor {@code B_t} of shape {@code r_t x r_l x r_r}; the root rank is 1.
 * Immutable; validation names the offending factor, rank or node.
 */
public final class HtFormat extends MatrixFormat {
    private final DimensionTree tree;
    private final int[] ranks;

    public HtFormat(int[] rowFactors, int[] colFactors, DimensionTree tree, int[] ranks) {
        super(rowFactors, colFactors);
        this.tree = tree;
        this.ranks = ranks.clone();
        validate();
    }

    /**
     * A format on the balanced tree with every rank set to {@code rank}, lowered where a larger
     * rank would be redundant (a leaf above {@code m_k n_k}, a node above {@code r_l r_r} or above
     * the size of the complementary modes).
     */
    public static HtFormat uniform(int[] rowFactors, int[] colFactors, int rank) {
        return withCappedRanks(
                rowFactors, colFactors, DimensionTree.balanced(rowFactors.length), rank);
    }

    /** As {@link #uniform} on a given tree. */
    public static HtFormat withCappedRanks(
            int[] rowFactors, int[] colFactors, DimensionTree tree, int rank) {
        if (rank < 1) throw new IllegalArgumentException("rank " + rank + " must be at least 1");
        int[] ranks = new int[tree.nodeCount()];
        Arrays.fill(ranks, rank);
        return withCappedRanks(rowFactors, colFactors, tree, ranks);
    }

    /**
     * A format whose node {@code t} has rank {@code maxRanks[t]} (by node id, the root's included),
     * lowered where a larger rank would be redundant: above the size of the node's modes or of the
     * complementary modes (the exact rank of its matricization at most), and for an interior node
     * above the product of its children's ranks. The root gets 1.
     */
    public static HtFormat withCappedRanks(
            int[] rowFactors, int[] colFactors, DimensionTree tree, int[] maxRanks) {
        int d = tree.order();
        if (rowFactors.length != d || colFactors.length != d) {
            throw new IllegalArgumentException(
                    "tree has order "
                            + d
                            + " but "
                            + rowFactors.length
                            + " row factors and "
                            + colFactors.length
                            + " column factors were given");
        }
        if (maxRanks.length != tree.nodeCount())
            throw new IllegalArgumentException(
                    "tree "
                            + tree
                            + " has "
                            + tree.nodeCount()
                            + " nodes (ids 1.."
                            + tree.nodeCount()
                            + ", the root last) but "
                            + maxRanks.length
                            + " ranks were given");
        long total = 1;
        for (int k = 0; k < d; k++) total *= (long) rowFactors[k] * colFactors[k];
        int[] ranks = new int[tree.nodeCount()];
        for (int t = 0; t < tree.nodeCount(); t++) { // node ids are post-order: children first
            if (maxRanks[t] < 1)
                throw new IllegalArgumentException(
                        "rank " + maxRanks[t] + " of node " + (t + 1) + " must be at least 1");
            if (t == tree.root()) {
                ranks[t] = 1;
                continue;
            }
            ranks[t] =
                    (int)
                            Math.max(
                                    1,
                                    Math.min(
                                            maxRanks[t],
                                            rankCap(
                                                    rowFactors,
                                                    colFactors,
                                                    tree,
                                                    t,
                                                    total,
                                                    ranks)));
        }
        return new HtFormat(rowFactors, colFactors, tree, ranks);
    }

    /**
     * The largest useful rank of non-root node {@code t}: the exact rank bound of its matricization
     * (the product of the mode sizes on the smaller side), and for an interior node the product of
     * its children's ranks {@code ranks[l] ranks[r]}; {@code total} is the product of all mode
     * sizes.
     */
    private static long rankCap(
            int[] rowFactors,
            int[] colFactors,
            DimensionTree tree,
            int t,
            long total,
            int[] ranks) {
        long inside = 1;
        for (int k = tree.firstMode(t); k < tree.endMode(t); k++)
            inside *= (long) rowFactors[k] * colFactors[k];
        long cap = Math.min(inside, total / Math.max(1, inside));
        if (!tree.isLeaf(t)) cap = Math.min(cap, (long) ranks[tree.left(t)] * ranks[tree.right(t)]);
        return cap;
    }

    /**
     * The largest useful rank of each non-root node of a format of these factors and tree, by the
     * rule of {@link #withCappedRanks(int[], int[], DimensionTree, int[])}, given the ranks of the
     * children (a decomposition that finds its ranks node by node asks for each in turn).
     */
    public static long maximumRank(
            int[] rowFactors, int[] colFactors, DimensionTree tree, int node, int[] childRanks) {
        long total = 1;
        for (int k = 0; k < tree.order(); k++) total *= (long) rowFactors[k] * colFactors[k];
        return rankCap(rowFactors, colFactors, tree, node, total, childRanks);
    }

    private void validate() {
        int d = tree.order();
        if (rowFactors.length != d) {
            throw new IllegalArgumentException(
                    "tree has order "
                            + d
                            + " but "
                            + rowFactors.length
                            + " row factors were given");
        }
        if (colFactors.length != d) {
            throw new IllegalArgumentException(
                    "tree has order "
                            + d
                            + " but "
                            + colFactors.length
                            + " column factors were given");
        }
        if (ranks.length != tree.nodeCount()) {
            throw new IllegalArgumentException(
                    "tree has "
                            + tree.nodeCount()
                            + " nodes but "
                            + ranks.length
                            + " ranks were given");
        }
        requirePositiveFactors();
        checkProduct(rowFactors, "row");
        checkProduct(colFactors, "column");
        for (int t = 0; t < ranks.length; t++) {
            if (ranks[t] < 1)
                throw new IllegalArgumentException(
                        "rank of "
                                + nodeName(t)
                                + " is "
                                + ranks[t]
                                + "; ranks must be at least 1");
        }
        if (ranks[tree.root()] != 1) {
            throw new IllegalArgumentException(
                    "rank of the root "
                            + nodeName(tree.root())
                            + " is "
                            + ranks[tree.root()]
                            + "; it must be 1");
        }
        for (int k = 0; k < d; k++) {
            long cap = (long) rowFactors[k] * colFactors[k];
            if (ranks[k] > cap) {
                throw new IllegalArgumentException(
                        "rank of "
                                + nodeName(k)
                                + " is "
                                + ranks[k]
                                + " but m"
                                + (k + 1)
                                + "*n"
                                + (k + 1)
                                + "="
                                + cap
                                + " bounds it");
            }
        }
        for (int t = d; t < tree.nodeCount(); t++) {
            long cap = (long) ranks[tree.left(t)] * ranks[tree.right(t)];
            if (ranks[t] > cap) {
                throw new IllegalArgumentException(
                        "rank of "
                                + nodeName(t)
                                + " is "
                                + ranks[t]
                                + " but its children's ranks "
                                + ranks[tree.left(t)]
                                + "*"
                                + ranks[tree.right(t)]
                                + "="
                                + cap
                                + " bound it");
            }
        }
    }

    private static void checkProduct(int[] factors, String what) {
        long p = 1;
        for (int f : factors) {
            p *= f;
            if (p > Integer.MAX_VALUE)
                throw new IllegalArgumentException(
                        what + " factors " + Arrays.toString(factors) + " multiply past 2^31-1");
        }
    }

    /**
     * "leaf 3" or "node 5 (modes 1-2)": 1-based node ids (leaves 1..d, interior d+1..2d-1) and
     * modes.
     */
    public String nodeName(int node) {
        if (tree.isLeaf(node)) return "leaf " + (node + 1);
        return (node == tree.root() ? "root " : "node ")
                + (node + 1)
                + " (modes "
                + (tree.firstMode(node) + 1)
                + "-"
                + tree.endMode(node)
                + ")";
    }

    public DimensionTree tree() {
        return tree;
    }

    public int rank(int node) {
        return ranks[node];
    }

    public int[] ranks() {
        return ranks.clone();
    }

    @Override
    public int nodeCount() {
        return tree.nodeCount();
    }

    @Override
    public long[] nodeShape(int node) {
        if (tree.isLeaf(node)) return new long[] {rowFactors[node], colFactors[node], ranks[node]};
        return new long[] {ranks[node], ranks[tree.left(node)], ranks[tree.right(node)]};
    }

    /**
     * Number of floats in node {@code t}: {@code m n r} for a leaf, {@code r_t r_l r_r} for an
     * interior node.
     */
    @Override
    public int nodeSize(int node) {
        if (tree.isLeaf(node)) return rowFactors[node] * colFactors[node] * ranks[node];
        return ranks[node] * ranks[tree.left(node)] * ranks[tree.right(node)];
    }

    /** {@code sum_k m_k n_k r_k + sum_t r_t r_l r_r}. */
    @Override
    public long parameterCount() {
        long p = 0;
        for (int t = 0; t < tree.nodeCount(); t++) p += nodeSize(t);
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HtFormat f
                && Arrays.equals(f.rowFactors, rowFactors)
                && Arrays.equals(f.colFactors, colFactors)
                && f.tree.equals(tree)
                && Arrays.equals(f.ranks, ranks);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rowFactors) * 31
                + Arrays.hashCode(colFactors) * 17
                + Arrays.hashCode(ranks);
    }

    @Override
    public String toString() {
        return "HT " + factorsText() + " tree=" + tree + " ranks=" + Arrays.toString(ranks);
    }
}
