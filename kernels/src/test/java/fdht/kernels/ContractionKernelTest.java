package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContractionKernelTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @Test
    void htMatvecMatchesScalarAndDense() {
        check(new int[] {4, 3}, new int[] {5, 2}, DimensionTree.balanced(2), 3, 1);
        check(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, DimensionTree.balanced(4), 4, 1);
        check(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, DimensionTree.balanced(4), 8, 3);
        check(
                new int[] {2, 3, 1, 5, 2},
                new int[] {3, 1, 4, 2, 7},
                DimensionTree.leftComb(5),
                5,
                17);
        check(new int[] {7, 1, 3}, new int[] {1, 9, 2}, DimensionTree.parse("(1,(2,3))"), 12, 2);
    }

    private void check(int[] m, int[] n, DimensionTree tree, int rank, int batch) {
        try (Arena arena = Arena.ofConfined()) {
            HtFormat f = HtFormat.withCappedRanks(m, n, tree, rank);
            HtMatrix ht = HtMatrix.random(f, 42, arena);
            ContractionPlan plan = ContractionPlanner.plan(f, batch);
            CompiledPlan cp = CompiledPlan.compile(plan, ht, arena);
            float[] x = random(batch * f.cols(), 7);
            MemorySegment xs = Weights.copyOf(arena, x);
            float[] yVec = run(cp, xs, KernelProvider.kernels(), arena);
            float[] yScalar = run(cp, xs, KernelProvider.scalar(), arena);
            float[] yDense =
                    dense(
                            DenseReconstruction.of(ht, f.cols(), arena),
                            f.rows(),
                            f.cols(),
                            x,
                            batch);
            float[] bound = absBound(ht, x, batch, arena);
            double chain = plan.stages().stream().mapToInt(s -> s.c()).sum() + f.cols();
            for (int e = 0; e < yVec.length; e++) {
                double tol = 2 * U * chain * bound[e] + 1e-30;
                assertEquals(yScalar[e], yVec[e], tol, "vector vs scalar at " + e + " of " + f);
                assertEquals(yDense[e], yScalar[e], tol, "scalar vs dense at " + e + " of " + f);
            }
        }
    }

    @Test
    void ttMatvecInTieOrderMatchesDense() {
        try (Arena arena = Arena.ofConfined()) {
            TtFormat f = TtFormat.uniform(new int[] {4, 2, 3}, new int[] {5, 3, 4}, 3);
            TtMatrix tt = TtMatrix.random(f, 9, arena);
            int batch = 3;
            CompiledPlan cp =
                    CompiledPlan.compile(ContractionPlanner.tieOrder(f, batch), tt, arena);
            float[] x = random(batch * f.cols(), 3);
            float[] y = run(cp, Weights.copyOf(arena, x), KernelProvider.kernels(), arena);
            float[] yDense =
                    dense(
                            DenseReconstruction.of(tt, f.cols(), arena),
                            f.rows(),
                            f.cols(),
                            x,
                            batch);
            for (int e = 0; e < y.length; e++) assertEquals(yDense[e], y[e], 1e-5, "TT at " + e);
        }
    }

    static float[] run(CompiledPlan cp, MemorySegment x, Kernels k, Arena arena) {
        MemorySegment y = Weights.floats(arena, cp.resultSize());
        PlanExecutor.apply(cp, x, 0, y, 0, new PlanWorkspace(cp, k, arena), k);
        return Weights.toArray(y, 0, (int) cp.resultSize());
    }

    /** |W| |x|: the plan run on absolute values, the scale of every output's sum. */
    static float[] absBound(HtMatrix ht, float[] x, int batch, Arena arena) {
        float[][] nodes = ht.toArrays();
        for (float[] node : nodes)
            for (int e = 0; e < node.length; e++) node[e] = Math.abs(node[e]);
        HtMatrix abs = HtMatrix.of(ht.format(), nodes, arena);
        float[] ax = x.clone();
        for (int e = 0; e < ax.length; e++) ax[e] = Math.abs(ax[e]);
        CompiledPlan cp =
                CompiledPlan.compile(ContractionPlanner.plan(ht.format(), batch), abs, arena);
        return run(cp, Weights.copyOf(arena, ax), KernelProvider.scalar(), arena);
    }

    static float[] dense(MemorySegment w, int rows, int cols, float[] x, int batch) {
        float[] y = new float[batch * rows];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < rows; i++) {
                double s = 0;
                for (int j = 0; j < cols; j++)
                    s += (double) Weights.get(w, (long) i * cols + j) * x[b * cols + j];
                y[b * rows + i] = (float) s;
            }
        return y;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int e = 0; e < n; e++) x[e] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
