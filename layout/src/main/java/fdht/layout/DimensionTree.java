package fdht.layout;

import java.util.Arrays;

/**
 * A binary dimension tree over the modes {@code 0..d-1} of a hierarchical Tucker tensor.
 *
 * <p>Node ids: leaves are {@code 0..d-1} (leaf {@code k} is mode {@code k}); interior nodes are
 * {@code d..2d-2} in post-order, so the root is always {@code 2d-2}. The modes under every node are
 * a contiguous range, so the row-major order of the modes is preserved by the tree. Immutable;
 * construction costs O(d).
 */
public final class DimensionTree {
    public static final int MIN_ORDER = 2;
    public static final int MAX_ORDER = 8;

    private final int order;
    private final int[] left;
    private final int[] right;
    private final int[] parent;
    private final int[] firstMode;
    private final int[] lastMode; // exclusive

    private DimensionTree(int order, int[] left, int[] right, int[] firstMode, int[] lastMode) {
        this.order = order;
        this.left = left;
        this.right = right;
        this.firstMode = firstMode;
        this.lastMode = lastMode;
        this.parent = new int[left.length];
        Arrays.fill(parent, -1);
        for (int t = order; t < left.length; t++) {
            parent[left[t]] = t;
            parent[right[t]] = t;
        }
    }

    /**
     * The balanced tree of the htucker toolbox: the left child takes the first floor(len/2) modes.
     */
    public static DimensionTree balanced(int order) {
        checkOrder(order);
        Builder b = new Builder(order);
        b.balanced(0, order);
        return b.build();
    }

    /** The degenerate tree ((((1,2),3),4)...) that makes HT a close cousin of TT. */
    public static DimensionTree leftComb(int order) {
        checkOrder(order);
        Builder b = new Builder(order);
        int node = 0;
        for (int k = 1; k < order; k++) {
            node = b.join(node, k);
        }
        return b.build();
    }

    /**
     * Parses a tree written with 1-based modes, for example {@code ((1,2),(3,4))} or {@code
     * (1,(2,3))}. Every mode 1..d must appear once, in increasing order.
     */
    public static DimensionTree parse(String text) {
        String s = text.replace(" ", "");
        int order = (int) Arrays.stream(s.split("[^0-9]+")).filter(x -> !x.isEmpty()).count();
        checkOrder(order);
        Builder b = new Builder(order);
        int[] pos = {0};
        int root = b.parseNode(s, pos, text);
        if (pos[0] != s.length()) {
            throw new IllegalArgumentException(
                    "dimension tree '" + text + "': unexpected '" + s.substring(pos[0]) + "'");
        }
        if (b.nextLeafExpected != order || root != 2 * order - 2) {
            throw new IllegalArgumentException(
                    "dimension tree '" + text + "': must name modes 1.." + order + " once each");
        }
        return b.build();
    }

    private static void checkOrder(int order) {
        if (order < MIN_ORDER || order > MAX_ORDER) {
            throw new IllegalArgumentException(
                    "order d=" + order + " is outside " + MIN_ORDER + ".." + MAX_ORDER);
        }
    }

    public int order() {
        return order;
    }

    public int nodeCount() {
        return left.length;
    }

    public int root() {
        return left.length - 1;
    }

    public boolean isLeaf(int node) {
        return node < order;
    }

    public int left(int node) {
        requireInterior(node);
        return left[node];
    }

    public int right(int node) {
        requireInterior(node);
        return right[node];
    }

    /** Parent of a node, or -1 for the root. */
    public int parent(int node) {
        return parent[node];
    }

    /** First mode under the node. */
    public int firstMode(int node) {
        return firstMode[node];
    }

    /** One past the last mode under the node. */
    public int endMode(int node) {
        return lastMode[node];
    }

    private void requireInterior(int node) {
        if (isLeaf(node)) throw new IllegalArgumentException("node " + node + " is a leaf");
    }

    /** Same shape as {@link #parse} accepts, 1-based modes. */
    @Override
    public String toString() {
        return render(root());
    }

    private String render(int node) {
        return isLeaf(node)
                ? Integer.toString(node + 1)
                : "(" + render(left[node]) + "," + render(right[node]) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DimensionTree t
                && t.order == order
                && Arrays.equals(t.left, left)
                && Arrays.equals(t.right, right);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(left) + Arrays.hashCode(right);
    }

    private static final class Builder {
        final int order;
        final int[] left, right, first, last;
        int next;
        int nextLeafExpected;

        Builder(int order) {
            this.order = order;
            int n = 2 * order - 1;
            left = new int[n];
            right = new int[n];
            first = new int[n];
            last = new int[n];
            Arrays.fill(left, -1);
            Arrays.fill(right, -1);
            for (int k = 0; k < order; k++) {
                first[k] = k;
                last[k] = k + 1;
            }
            next = order;
        }

        int balanced(int lo, int hi) {
            if (hi - lo == 1) return lo;
            int mid = lo + (hi - lo) / 2;
            int l = balanced(lo, mid);
            int r = balanced(mid, hi);
            return join(l, r);
        }

        int join(int l, int r) {
            if (next >= left.length) throw new IllegalArgumentException("too many interior nodes");
            int t = next++;
            left[t] = l;
            right[t] = r;
            first[t] = first[l];
            last[t] = last[r];
            return t;
        }

        int parseNode(String s, int[] pos, String text) {
            if (pos[0] >= s.length())
                throw new IllegalArgumentException("dimension tree '" + text + "': ends early");
            char ch = s.charAt(pos[0]);
            if (Character.isDigit(ch)) {
                int start = pos[0];
                while (pos[0] < s.length() && Character.isDigit(s.charAt(pos[0]))) pos[0]++;
                int mode = Integer.parseInt(s.substring(start, pos[0])) - 1;
                if (mode != nextLeafExpected) {
                    throw new IllegalArgumentException(
                            "dimension tree '"
                                    + text
                                    + "': mode "
                                    + (mode + 1)
                                    + " where mode "
                                    + (nextLeafExpected + 1)
                                    + " was expected (modes must appear once, in order)");
                }
                nextLeafExpected++;
                return mode;
            }
            if (ch != '(')
                throw new IllegalArgumentException(
                        "dimension tree '" + text + "': unexpected '" + ch + "'");
            pos[0]++;
            int l = parseNode(s, pos, text);
            expect(s, pos, ',', text);
            int r = parseNode(s, pos, text);
            expect(s, pos, ')', text);
            return join(l, r);
        }

        static void expect(String s, int[] pos, char c, String text) {
            if (pos[0] >= s.length() || s.charAt(pos[0]) != c) {
                throw new IllegalArgumentException(
                        "dimension tree '" + text + "': expected '" + c + "' at " + pos[0]);
            }
            pos[0]++;
        }

        DimensionTree build() {
            if (next != left.length)
                throw new IllegalArgumentException("tree is not binary over all modes");
            return new DimensionTree(order, left, right, first, last);
        }
    }
}
