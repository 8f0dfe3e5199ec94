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
public final class HtFormat implements MatrixFormat {
    private final int[] rowFactors;
    private final int[] colFactors;
    private final DimensionTree tree;
    private final int[] ranks;

    public HtFormat(int[] rowFactors, int[] colFactors, DimensionTree tree, int[] ranks) {
        this.rowFactors = rowFactors.clone();
        this.colFactors = colFactors.clone();
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
        long total = 1;
        for (int k = 0; k < d; k++) total *= (long) rowFactors[k] * colFactors[k];
        int[] ranks = new int[tree.nodeCount()];
        for (int t = 0; t < tree.nodeCount(); t++) {
            if (t == tree.root()) {
                ranks[t] = 1;
                continue;
            }
            long inside = 1;
            for (int k = tree.firstMode(t); k < tree.endMode(t); k++)
                inside *= (long) rowFactors[k] * colFactors[k];
            long cap = Math.min(inside, total / Math.max(1, inside));
            if (!tree.isLeaf(t))
                cap = Math.min(cap, (long) ranks[tree.left(t)] * ranks[tree.right(t)]);
            ranks[t] = (int) Math.max(1, Math.min(rank, cap));
        }
        return new HtFormat(rowFactors, colFactors, tree, ranks);
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
        for (int k = 0; k < d; k++) {
            if (rowFactors[k] < 1)
                throw new IllegalArgumentException(
                        "row factor m" + (k + 1) + "=" + rowFactors[k] + " must be at least 1");
            if (colFactors[k] < 1)
                throw new IllegalArgumentException(
                        "column factor n" + (k + 1) + "=" + colFactors[k] + " must be at least 1");
        }
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

    @Override
    public int order() {
        return tree.order();
    }

    public DimensionTree tree() {
        return tree;
    }

    @Override
    public int rowFactor(int k) {
        return rowFactors[k];
    }

    @Override
    public int colFactor(int k) {
        return colFactors[k];
    }

    public int[] rowFactors() {
        return rowFactors.clone();
    }

    public int[] colFactors() {
        return colFactors.clone();
    }

    public int rank(int node) {
        return ranks[node];
    }

    public int[] ranks() {
        return ranks.clone();
    }

    /** M, the number of rows. */
    @Override
    public int rows() {
        return product(rowFactors);
    }

    /** N, the number of columns. */
    @Override
    public int cols() {
        return product(colFactors);
    }

    /**
     * Number of floats in node {@code t}: {@code m n r} for a leaf, {@code r_t r_l r_r} for an
     * interior node.
     */
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

    private static int product(int[] f) {
        int p = 1;
        for (int x : f) p *= x;
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
        return "HT "
                + rows()
                + "x"
                + cols()
                + " m="
                + Arrays.toString(rowFactors)
                + " n="
                + Arrays.toString(colFactors)
                + " tree="
                + tree
                + " ranks="
                + Arrays.toString(ranks);
    }
}
