package fdht.properties;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import java.util.SplittableRandom;

/**
 * Deterministic builders the generators map their random choices through (so jqwik can shrink the
 * choices).
 */
final class Formats {
    private Formats() {}

    /**
     * A random binary tree over modes 1..d, each node splitting its contiguous range at a random
     * point.
     */
    static DimensionTree randomTree(int d, long seed) {
        return DimensionTree.parse(render(0, d, new SplittableRandom(seed)));
    }

    private static String render(int lo, int hi, SplittableRandom r) {
        if (hi - lo == 1) return Integer.toString(lo + 1);
        int mid = lo + 1 + r.nextInt(hi - lo - 1);
        return "(" + render(lo, mid, r) + "," + render(mid, hi, r) + ")";
    }

    /** {@code kind} 0 balanced, 1 left comb, else random. */
    static DimensionTree tree(int d, int kind, long seed) {
        return switch (kind) {
            case 0 -> DimensionTree.balanced(d);
            case 1 -> DimensionTree.leftComb(d);
            default -> randomTree(d, seed);
        };
    }

    /**
     * Halves the largest factor of either list until prod(m) * prod(n) is at most {@code budget}.
     */
    static void capSize(int[] m, int[] n, long budget) {
        while (product(m) * product(n) > budget) {
            int[] big = max(m) >= max(n) ? m : n;
            int at = argMax(big);
            big[at] = Math.max(1, big[at] / 2);
        }
    }

    /** Per-node ranks from raw choices, capped: leaf <= m n, interior <= r_l r_r, root 1. */
    static int[] cappedRanks(int[] m, int[] n, DimensionTree tree, int[] raw) {
        int[] r = new int[tree.nodeCount()];
        for (int t = 0; t < tree.nodeCount(); t++) {
            int want = Math.max(1, raw[t % raw.length]);
            if (t == tree.root()) r[t] = 1;
            else if (tree.isLeaf(t)) r[t] = Math.min(want, m[t] * n[t]);
            else r[t] = Math.min(want, r[tree.left(t)] * r[tree.right(t)]);
        }
        return r;
    }

    static HtFormat format(int[] m, int[] n, int treeKind, long treeSeed, int[] rawRanks) {
        DimensionTree tree = tree(m.length, treeKind, treeSeed);
        return new HtFormat(m, n, tree, cappedRanks(m, n, tree, rawRanks));
    }

    static long product(int[] f) {
        long p = 1;
        for (int x : f) p *= x;
        return p;
    }

    private static int max(int[] f) {
        return f[argMax(f)];
    }

    private static int argMax(int[] f) {
        int at = 0;
        for (int i = 1; i < f.length; i++) if (f[i] > f[at]) at = i;
        return at;
    }
}
