package fdht.train.plan;

import fdht.layout.CompiledPlan;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.Stage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link FactorPacking} of an HT matrix, fused stages included. A stage on node {@code t} with
 * fused ancestors {@code u_1..u_h} has the factor
 *
 * <pre>
 *   v_0[a]   = U_t[i][j][a]  (leaf)   or  B_t[a][a_l][a_r]  (transfer)
 *   v_k[a]   = sum_b v_{k-1}[b] B_{u_k}[a][b][s_k]   (or [a][s_k][b] when the chain comes up the right)
 *   F[(j|a_l a_r, s_1..s_h)][(i, a_top)] = v_h[a_top]
 * </pre>
 *
 * as {@code HtMatrix.factor} defines it. The gradient runs the chain backwards: {@code
 * dB_{u_k}[a][b][s_k] += dv_k[a] v_{k-1}[b]}, {@code dv_{k-1}[b] = sum_a dv_k[a]
 * B_{u_k}[a][b][s_k]}, and {@code dv_0} lands in the node's own tensor. Sums in double.
 *
 * <p>Thread safety: immutable and thread-safe (scratch is allocated per call).
 */
public record HtPacking(HtFormat format) implements FactorPacking {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override
    public int nodeCount() {
        return format.tree().nodeCount();
    }

    @Override
    public int nodeSize(int t) {
        return format.nodeSize(t);
    }

    @Override
    public long[] nodeShape(int t) {
        DimensionTree tree = format.tree();
        if (tree.isLeaf(t))
            return new long[] {format.rowFactor(t), format.colFactor(t), format.rank(t)};
        return new long[] {format.rank(t), format.rank(tree.left(t)), format.rank(tree.right(t))};
    }

    private long transferIndex(int t, int a, int b, int c) {
        DimensionTree tree = format.tree();
        return ((long) a * format.rank(tree.left(t)) + b) * format.rank(tree.right(t)) + c;
    }

    @Override
    public void pack(CompiledPlan plan, MemorySegment[] nodes, MemorySegment factors) {
        walk(
                plan,
                nodes,
                (step, chain, base, cc, qPrefix, q) -> {
                    double[] top = chain[chain.length - 1];
                    for (int a = 0; a < top.length; a++)
                        factors.setAtIndex(F, base + (long) cc * q + qPrefix + a, (float) top[a]);
                },
                null,
                null);
    }

    @Override
    public void unpack(
            CompiledPlan plan,
            MemorySegment[] nodes,
            MemorySegment dFactors,
            MemorySegment[] dNodes) {
        double[][] acc = new double[nodes.length][];
        for (int t = 0; t < nodes.length; t++) acc[t] = new double[format.nodeSize(t)];
        walk(plan, nodes, null, dFactors, acc);
        for (int t = 0; t < nodes.length; t++) {
            for (int e = 0; e < acc[t].length; e++)
                dNodes[t].setAtIndex(F, e, dNodes[t].getAtIndex(F, e) + (float) acc[t][e]);
        }
    }

    private interface Emit {
        void at(CompiledPlan.Step step, double[][] chain, long base, int cc, int qPrefix, int q);
    }

    /**
     * For every stage, every contracted index and every produced index but the last (the top rank),
     * evaluates the chain {@code v_0..v_h}; then either emits it (packing) or pushes {@code
     * dF[c][(.., :)]} back through it into {@code acc} (gradient).
     */
    private void walk(
            CompiledPlan plan,
            MemorySegment[] nodes,
            Emit emit,
            MemorySegment dFactors,
            double[][] acc) {
        DimensionTree tree = format.tree();
        for (CompiledPlan.Step step : plan.steps()) {
            Stage st = step.stage();
            int t = st.node();
            int[] cs = FactorPacking.sizes(st.contracted()),
                    qs = FactorPacking.sizes(st.produced());
            int[] ci = new int[cs.length], qi = new int[qs.length];
            int c = st.c(), q = st.q();
            int h = st.fused().size();
            int topRank = qs[qs.length - 1];
            int base =
                    switch (st.op()) {
                        case LEAF -> 1;
                        case TRANSFER -> 2;
                        default ->
                                throw new IllegalArgumentException(
                                        "stage "
                                                + (st.index() + 1)
                                                + " is a TT core, not an HT node");
                    };
            double[][] chain = new double[h + 1][];
            chain[0] = new double[format.rank(t)];
            for (int k = 0; k < h; k++) chain[k + 1] = new double[format.rank(st.fused().get(k))];
            for (int cc = 0; cc < c; cc++) {
                FactorPacking.unflatten(cc, cs, ci);
                for (int qq = 0; qq < q; qq += topRank) {
                    FactorPacking.unflatten(qq, qs, qi);
                    // v_0: the node's own fibre
                    for (int a = 0; a < chain[0].length; a++) {
                        long at =
                                st.op() == Stage.Op.LEAF
                                        ? ((long) qi[0] * format.colFactor(t) + ci[0])
                                                        * format.rank(t)
                                                + a
                                        : transferIndex(t, a, ci[0], ci[1]);
                        chain[0][a] = nodes[t].getAtIndex(F, at);
                    }
                    int below = t;
                    for (int k = 0; k < h; k++) {
                        int u = st.fused().get(k);
                        int sib = ci[base + k];
                        boolean left = tree.left(u) == below;
                        double[] v = chain[k], w = chain[k + 1];
                        for (int a = 0; a < w.length; a++) {
                            double s = 0;
                            for (int b = 0; b < v.length; b++)
                                s +=
                                        v[b]
                                                * nodes[u].getAtIndex(
                                                        F,
                                                        left
                                                                ? transferIndex(u, a, b, sib)
                                                                : transferIndex(u, a, sib, b));
                            w[a] = s;
                        }
                        below = u;
                    }
                    if (emit != null) {
                        emit.at(step, chain, step.factorOffset(), cc, qq, q);
                        continue;
                    }
                    double[] d = new double[topRank];
                    for (int a = 0; a < topRank; a++)
                        d[a] = dFactors.getAtIndex(F, step.factorOffset() + (long) cc * q + qq + a);
                    for (int k = h - 1; k >= 0; k--) {
                        int u = st.fused().get(k);
                        int sib = ci[base + k];
                        int under = k == 0 ? t : st.fused().get(k - 1);
                        boolean left = tree.left(u) == under;
                        double[] v = chain[k];
                        double[] dv = new double[v.length];
                        for (int a = 0; a < d.length; a++) {
                            for (int b = 0; b < v.length; b++) {
                                long at =
                                        left
                                                ? transferIndex(u, a, b, sib)
                                                : transferIndex(u, a, sib, b);
                                acc[u][(int) at] += d[a] * v[b];
                                dv[b] += d[a] * nodes[u].getAtIndex(F, at);
                            }
                        }
                        d = dv;
                    }
                    for (int a = 0; a < d.length; a++) {
                        long at =
                                st.op() == Stage.Op.LEAF
                                        ? ((long) qi[0] * format.colFactor(t) + ci[0])
                                                        * format.rank(t)
                                                + a
                                        : transferIndex(t, a, ci[0], ci[1]);
                        acc[t][(int) at] += d[a];
                    }
                }
            }
        }
    }
}
