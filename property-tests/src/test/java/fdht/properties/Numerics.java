package fdht.properties;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.HtMatrix;
import fdht.layout.PlanFactors;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Shared arithmetic of the properties: running a plan, the dense reference in double, and the error
 * bound. A float sum of {@code n} products has error at most {@code n u sum|terms|} ({@code u =
 * 2^-24}); a chain of stages adds their lengths. So the tolerance of every output is {@code 2 u
 * (sum of the stages' C + N) |W| |x|}, where {@code |W| |x|} is the plan run on absolute values:
 * scaled to the size of the sum, not a picked epsilon.
 */
final class Numerics {
    static final double U = Math.ulp(1.0f) / 2;

    private Numerics() {}

    static float[] run(CompiledPlan cp, MemorySegment x, Kernels k, Arena arena) {
        MemorySegment y = Weights.floats(arena, cp.resultSize());
        PlanExecutor.apply(cp, x, 0, y, 0, new PlanWorkspace(cp, k, arena), k);
        return Weights.toArray(y, 0, (int) cp.resultSize());
    }

    static float[] run(ContractionPlan plan, PlanFactors w, float[] x, Kernels k, Arena arena) {
        return run(CompiledPlan.compile(plan, w, arena), Weights.copyOf(arena, x), k, arena);
    }

    /** |W| |x| through the same plan, computed by the scalar reference. */
    static float[] absBound(ContractionPlan plan, HtMatrix ht, float[] x, Arena arena) {
        float[][] nodes = ht.toArrays();
        for (float[] node : nodes)
            for (int e = 0; e < node.length; e++) node[e] = Math.abs(node[e]);
        float[] ax = x.clone();
        for (int e = 0; e < ax.length; e++) ax[e] = Math.abs(ax[e]);
        return run(
                plan, HtMatrix.of(ht.format(), nodes, arena), ax, KernelProvider.scalar(), arena);
    }

    static double chain(ContractionPlan plan, int cols) {
        return plan.stages().stream().mapToInt(s -> s.c()).sum() + cols;
    }

    /** y = W x in double from a dense row-major W. */
    static double[] dense(MemorySegment w, int rows, int cols, float[] x, int batch) {
        double[] y = new double[batch * rows];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < rows; i++) {
                double s = 0;
                for (int j = 0; j < cols; j++)
                    s += (double) Weights.get(w, (long) i * cols + j) * x[b * cols + j];
                y[b * rows + i] = s;
            }
        return y;
    }

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int e = 0; e < n; e++) x[e] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }
}
