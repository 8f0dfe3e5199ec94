package fdht.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The walker's buffer discipline, and that its backward walk is the adjoint of its forward walk:
 * {@code <W x, d> = <x, W^T d>} with a plain double-precision stage and its adjoint plugged in.
 */
class PlanWalkerTest {

    /** A forward stage and its adjoint over double arrays, one per plan buffer. */
    static final class ScalarStages implements StageOperation {
        final CompiledPlan plan;
        final Map<PlanBuffer, double[]> buf = new EnumMap<>(PlanBuffer.class);
        final List<String> calls = new ArrayList<>();

        ScalarStages(CompiledPlan plan) {
            this.plan = plan;
        }

        double f(CompiledPlan.Step st, int j, int k) {
            return Weights.get(plan.factors(), st.factorOffset() + (long) j * st.q() + k);
        }

        @Override
        public void stage(CompiledPlan.Step st, PlanBuffer from, PlanBuffer to) {
            calls.add(from + ">" + to);
            double[] in = buf.get(from), out = new double[st.p() * st.q()];
            for (int r = 0; r < st.p(); r++)
                for (int k = 0; k < st.q(); k++) {
                    double s = 0;
                    for (int j = 0; j < st.c(); j++)
                        s += in[st.rowBase(r) + st.contractedOffset(j)] * f(st, j, k);
                    out[r * st.q() + k] = s;
                }
            buf.put(to, out);
        }

        @Override
        public void gather(PlanBuffer from) {
            calls.add("gather " + from);
            double[] in = buf.get(from), y = new double[(int) plan.resultSize()];
            for (int e = 0; e < y.length; e++) y[e] = in[plan.resultSourceAt(e)];
            buf.put(PlanBuffer.RESULT, y);
        }

        void scatter(PlanBuffer to) {
            double[] dy = buf.get(PlanBuffer.RESULT), d = new double[dy.length];
            for (int e = 0; e < dy.length; e++) d[plan.resultSourceAt(e)] = dy[e];
            buf.put(to, d);
        }

        /** The adjoint walk over the same buffers. */
        StageAdjoint adjoint() {
            ScalarStages self = this;
            return new StageAdjoint() {
                @Override
                public void scatter(PlanBuffer to) {
                    self.scatter(to);
                }

                @Override
                public void stage(CompiledPlan.Step st, PlanBuffer from, PlanBuffer to) {
                    double[] dOut = buf.get(from), dIn = new double[(int) st.stage().inputSize()];
                    for (int r = 0; r < st.p(); r++)
                        for (int j = 0; j < st.c(); j++) {
                            double s = 0;
                            for (int k = 0; k < st.q(); k++)
                                s += dOut[r * st.q() + k] * f(st, j, k);
                            dIn[st.rowBase(r) + st.contractedOffset(j)] = s;
                        }
                    buf.put(to, dIn);
                }
            };
        }
    }

    @Test
    void backwardIsTheAdjointOfForward() {
        boolean sawGather = false, sawDirect = false;
        try (Arena arena = Arena.ofConfined()) {
            List<CompiledPlan> plans = new ArrayList<>();
            for (int batch : new int[] {1, 3}) {
                HtFormat ht =
                        HtFormat.withCappedRanks(
                                new int[] {4, 3, 2, 5},
                                new int[] {6, 2, 7, 3},
                                DimensionTree.balanced(4),
                                3);
                plans.add(
                        CompiledPlan.compile(
                                ContractionPlanner.plan(ht, batch),
                                HtMatrix.random(ht, 5, arena),
                                arena));
                plans.add(
                        CompiledPlan.compile(
                                ContractionPlanner.planUnfused(ht, batch),
                                HtMatrix.random(ht, 5, arena),
                                arena));
                HtFormat comb =
                        HtFormat.withCappedRanks(
                                new int[] {2, 3, 1, 2, 2},
                                new int[] {3, 1, 4, 2, 5},
                                DimensionTree.leftComb(5),
                                4);
                plans.add(
                        CompiledPlan.compile(
                                ContractionPlanner.plan(comb, batch),
                                HtMatrix.random(comb, 6, arena),
                                arena));
                TtFormat tt = TtFormat.uniform(new int[] {2, 3, 4}, new int[] {5, 2, 3}, 3);
                plans.add(
                        CompiledPlan.compile(
                                ContractionPlanner.tieOrder(tt, batch),
                                TtMatrix.random(tt, 7, arena),
                                arena));
            }
            for (CompiledPlan plan : plans) {
                sawGather |= !plan.lastStageWritesResult();
                sawDirect |= plan.lastStageWritesResult();
                double[] x = random((int) plan.inputSize(), 1),
                        dy = random((int) plan.resultSize(), 2);
                ScalarStages op = new ScalarStages(plan);
                op.buf.put(PlanBuffer.INPUT, x);
                PlanWalker.forward(plan, op);
                double[] y = op.buf.get(PlanBuffer.RESULT);
                op.buf.clear();
                op.buf.put(PlanBuffer.RESULT, dy);
                PlanWalker.backward(plan, op.adjoint());
                double[] dx = op.buf.get(PlanBuffer.INPUT);
                double lhs = dot(y, dy),
                        rhs = dot(x, dx),
                        scale = norm(y) * norm(dy) + norm(x) * norm(dx);
                assertEquals(
                        lhs,
                        rhs,
                        1e-12 * scale,
                        "<Wx, d> vs <x, W^T d> for " + plan.plan().format());
                assertBuffers(plan, op.calls);
            }
        }
        assertTrue(
                sawGather && sawDirect,
                "the plans should cover both a final gather and a direct last stage");
    }

    /**
     * Stage 1 reads the input, the stages alternate ping and pong, the last writes the result or is
     * gathered.
     */
    private static void assertBuffers(CompiledPlan plan, List<String> calls) {
        List<String> want = new ArrayList<>();
        String from = "INPUT";
        for (int s = 0; s < plan.stageCount(); s++) {
            boolean direct = s == plan.stageCount() - 1 && plan.lastStageWritesResult();
            String to = direct ? "RESULT" : s % 2 == 0 ? "PING" : "PONG";
            want.add(from + ">" + to);
            from = to;
        }
        if (!plan.lastStageWritesResult()) want.add("gather " + from);
        assertEquals(want, calls);
    }

    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
        return v;
    }

    static double dot(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
