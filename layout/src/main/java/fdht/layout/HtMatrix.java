package fdht.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * An HT matrix: an {@link HtFormat} and its node tensors in native memory owned by a caller's
 * {@link Arena}. Leaf {@code k} is stored row-major as {@code U[i][j][a]} ({@code m_k x n_k x
 * r_k}), interior node {@code t} as {@code B[a][b][c]} ({@code r_t x r_l x r_r}).
 *
 * <p>Immutable and safe to share between threads; using it after its arena is closed throws {@link
 * IllegalStateException}. Costs {@code 4 * parameterCount()} bytes of native memory.
 */
public final class HtMatrix implements PlanFactors {
    private final HtFormat format;
    private final MemorySegment data;
    private final long[] offsets; // float index of each node

    private HtMatrix(HtFormat format, MemorySegment data, long[] offsets) {
        this.format = format;
        this.data = data;
        this.offsets = offsets;
    }

    /** Copies node tensors given as row-major arrays; rejects wrong sizes and non-finite values. */
    public static HtMatrix of(HtFormat format, float[][] nodes, Arena arena) {
        int count = format.tree().nodeCount();
        if (nodes.length != count) {
            throw new IllegalArgumentException(
                    "format has " + count + " nodes but " + nodes.length + " tensors were given");
        }
        long[] offsets = offsets(format);
        MemorySegment data = Weights.floats(arena, offsets[count]);
        for (int t = 0; t < count; t++) {
            if (nodes[t].length != format.nodeSize(t)) {
                throw new IllegalArgumentException(
                        format.nodeName(t)
                                + " needs "
                                + format.nodeSize(t)
                                + " values, got "
                                + nodes[t].length);
            }
            for (int e = 0; e < nodes[t].length; e++) {
                if (!Float.isFinite(nodes[t][e])) {
                    throw new IllegalArgumentException(
                            format.nodeName(t)
                                    + " has a non-finite value "
                                    + nodes[t][e]
                                    + " at flat index "
                                    + e);
                }
                Weights.set(data, offsets[t] + e, nodes[t][e]);
            }
        }
        return new HtMatrix(format, data, offsets);
    }

    /**
     * Deterministic random weights, scaled so that the entries of {@code W} have variance about
     * {@code 1/N}: {@code W x} of a unit-variance {@code x} then has unit variance, the regime of a
     * trained LSTM's pre-activations. Uniform entries; transfer tensors keep the variance, leaves
     * carry {@code 1/n_k} each.
     */
    public static HtMatrix random(HtFormat format, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DimensionTree tree = format.tree();
        float[][] nodes = new float[tree.nodeCount()][];
        for (int t = 0; t < tree.nodeCount(); t++) {
            double variance =
                    tree.isLeaf(t)
                            ? 1.0 / format.colFactor(t)
                            : 1.0
                                    / ((double) format.rank(tree.left(t))
                                            * format.rank(tree.right(t)));
            double half = Math.sqrt(3 * variance);
            nodes[t] = new float[format.nodeSize(t)];
            for (int e = 0; e < nodes[t].length; e++)
                nodes[t][e] = (float) ((rnd.nextDouble() * 2 - 1) * half);
        }
        return of(format, nodes, arena);
    }

    private static long[] offsets(HtFormat format) {
        int count = format.tree().nodeCount();
        long[] offsets = new long[count + 1];
        for (int t = 0; t < count; t++) {
            // 16-float (64-byte) aligned starts so every node can be read with aligned vectors
            offsets[t + 1] = offsets[t] + ((format.nodeSize(t) + 15L) & ~15L);
        }
        return offsets;
    }

    public HtFormat format() {
        return format;
    }

    /** U_k[i][j][a]. */
    public float leaf(int k, int i, int j, int a) {
        int n = format.colFactor(k), r = format.rank(k);
        return Weights.get(data, offsets[k] + ((long) i * n + j) * r + a);
    }

    /** B_t[a][b][c]. */
    public float transfer(int t, int a, int b, int c) {
        DimensionTree tree = format.tree();
        int rl = format.rank(tree.left(t)), rr = format.rank(tree.right(t));
        return Weights.get(data, offsets[t] + ((long) a * rl + b) * rr + c);
    }

    /** A read-only view of node {@code t}'s tensor. */
    public MemorySegment node(int t) {
        return data.asSlice(offsets[t] * Float.BYTES, (long) format.nodeSize(t) * Float.BYTES)
                .asReadOnly();
    }

    /** Node tensors copied to the heap, in the layout {@link #of} takes. */
    @Override
    public float[][] toArrays() {
        float[][] out = new float[format.tree().nodeCount()][];
        for (int t = 0; t < out.length; t++)
            out[t] = Weights.toArray(data, offsets[t], format.nodeSize(t));
        return out;
    }

    /**
     * {@code F[c][q]} of an HT stage. Leaf: contracted {@code (j_k, s_1..s_h)}, produced {@code
     * (i_k, a_top)}; transfer: contracted {@code (a_l, a_r, s_1..s_h)}, produced {@code (a_top)},
     * where {@code s_i} are the ranks of the siblings along the fused chain. The chain is folded in
     * by {@code v'[a_u] = sum_{a_v} v[a_v] B_u[a_u, .., ..]} level by level.
     */
    @Override
    public float factor(Stage stage, int[] c, int[] q) {
        DimensionTree tree = format.tree();
        int t = stage.node();
        int base;
        double[] v;
        switch (stage.op()) {
            case LEAF -> {
                base = 1;
                v = new double[format.rank(t)];
                for (int a = 0; a < v.length; a++) v[a] = leaf(t, q[0], c[0], a);
            }
            case TRANSFER -> {
                base = 2;
                v = new double[format.rank(t)];
                for (int a = 0; a < v.length; a++) v[a] = transfer(t, a, c[0], c[1]);
            }
            default -> throw new IllegalArgumentException("an HT matrix has no TT cores");
        }
        int below = t;
        for (int i = 0; i < stage.fused().size(); i++) {
            int u = stage.fused().get(i);
            int sib = c[base + i];
            boolean belowIsLeft = tree.left(u) == below;
            double[] w = new double[format.rank(u)];
            for (int a = 0; a < w.length; a++) {
                double s = 0;
                for (int b = 0; b < v.length; b++)
                    s += v[b] * (belowIsLeft ? transfer(u, a, b, sib) : transfer(u, a, sib, b));
                w[a] = s;
            }
            v = w;
            below = u;
        }
        return (float) v[q[q.length - 1]];
    }
}
