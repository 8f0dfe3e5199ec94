package fdht.train.plan;

import fdht.layout.CompiledPlan;
import fdht.layout.Stage;
import fdht.layout.TtFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link FactorPacking} of a TT matrix: stage {@code k}'s factor is core {@code G_k[a][i][j][b]}
 * re-indexed as {@code F[(j, b)][(i, a)]}, so packing is a copy and the gradient a scatter.
 *
 * <p>Thread safety: immutable and thread-safe.
 */
public record TtPacking(TtFormat format) implements FactorPacking {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override
    public int nodeCount() {
        return format.order();
    }

    @Override
    public int nodeSize(int t) {
        return format.coreSize(t);
    }

    @Override
    public long[] nodeShape(int k) {
        return new long[] {
            format.bondRank(k), format.rowFactor(k), format.colFactor(k), format.bondRank(k + 1)
        };
    }

    /** Index of {@code F[c][q]} of the stage in its core. */
    private long coreIndex(Stage st, int[] c, int[] q) {
        int k = st.node();
        int b =
                c.length > 1
                        ? c[1]
                        : 0; // right bond, absent for the last core (as TtMatrix.factor)
        int a = q.length > 1 ? q[1] : 0; // left bond, absent for the first core
        int m = format.rowFactor(k), n = format.colFactor(k), rb = format.bondRank(k + 1);
        return (((long) a * m + q[0]) * n + c[0]) * rb + b;
    }

    @Override
    public void pack(CompiledPlan plan, MemorySegment[] nodes, MemorySegment factors) {
        walk(
                plan,
                (st, at, core) -> factors.setAtIndex(F, at, nodes[st.node()].getAtIndex(F, core)));
    }

    @Override
    public void unpack(
            CompiledPlan plan,
            MemorySegment[] nodes,
            MemorySegment dFactors,
            MemorySegment[] dNodes) {
        walk(
                plan,
                (st, at, core) -> {
                    MemorySegment d = dNodes[st.node()];
                    d.setAtIndex(F, core, d.getAtIndex(F, core) + dFactors.getAtIndex(F, at));
                });
    }

    private interface Visit {
        void at(Stage st, long factorIndex, long coreIndex);
    }

    private void walk(CompiledPlan plan, Visit v) {
        for (CompiledPlan.Step step : plan.steps()) {
            Stage st = step.stage();
            if (st.op() != Stage.Op.TT_CORE)
                throw new IllegalArgumentException(
                        "stage " + (st.index() + 1) + " is not a TT core");
            int[] cs = FactorPacking.sizes(st.contracted()),
                    qs = FactorPacking.sizes(st.produced());
            int[] ci = new int[cs.length], qi = new int[qs.length];
            int c = st.c(), q = st.q();
            for (int cc = 0; cc < c; cc++) {
                FactorPacking.unflatten(cc, cs, ci);
                for (int qq = 0; qq < q; qq++) {
                    FactorPacking.unflatten(qq, qs, qi);
                    v.at(st, step.factorOffset() + (long) cc * q + qq, coreIndex(st, ci, qi));
                }
            }
        }
    }
}
