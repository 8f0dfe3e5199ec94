package fdht.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.FixedPoint;
import fdht.kernels.KernelProvider;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.PlanFactors;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FunctionalModelTest {

    @Test
    void functionalModeEqualsTheQuantisedKernelBitForBitAndTheFloatPlanWithinItsBound() {
        try (Arena arena = Arena.ofConfined()) {
            Workload w = Workload.lstmUcf();
            check(arena, w.fdhtPlan(), HtMatrix.random((HtFormat) w.fdht().matrix(), 7, arena), 3);
            check(
                    arena,
                    w.ttPlan(),
                    TtMatrix.random((fdht.layout.TtFormat) w.sameFormat().matrix(), 7, arena),
                    3);
            HtFormat small = HtFormat.uniform(new int[] {3, 2, 5}, new int[] {4, 3, 2}, 3);
            check(arena, ContractionPlanner.plan(small, 2), HtMatrix.random(small, 1, arena), 5);
        }
    }

    private void check(Arena arena, ContractionPlan plan, PlanFactors weights, long seed) {
        CompiledPlan cp = CompiledPlan.compile(plan, weights, arena);
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) cp.inputSize();
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (MemoryLayout layout : MemoryLayout.values()) {
            AcceleratorConfig cfg = AcceleratorConfig.fdht().with(layout, 16, 16);
            FixedPoint fp = new FixedPoint(cfg.bits(), cfg.fractionBits());
            long[] qx = new long[n];
            for (int i = 0; i < n; i++) qx[i] = fp.quantize(x[i]);
            long[][] f = fp.quantizeFactors(cp);
            long[] kernel = fp.run(cp, f, qx);
            long[] model = FunctionalModel.run(cfg, cp, f, qx);
            assertArrayEquals(kernel, model, plan.format() + " on the " + layout + " layout");
            // against the float plan, within the documented quantisation bound
            MemorySegment y = Weights.floats(arena, cp.resultSize());
            PlanExecutor.apply(
                    cp,
                    Weights.copyOf(arena, x),
                    0,
                    y,
                    0,
                    new PlanWorkspace(cp, KernelProvider.scalar(), arena),
                    KernelProvider.scalar());
            float[] ax = x.clone();
            for (int i = 0; i < n; i++) ax[i] = Math.abs(ax[i]);
            double[] bound = FunctionalModel.errorBound(cp, ax, fp.step());
            long max = (1L << (cfg.bits() - 1)) - 1;
            for (int i = 0; i < kernel.length; i++) {
                if (Math.abs(kernel[i]) == max)
                    continue; // saturated: the bound is for the unsaturated range
                double err = Math.abs(fp.dequantize(kernel[i]) - Weights.get(y, i));
                assertTrue(
                        err <= bound[i] * 1.0001 + 1e-6,
                        "output " + i + ": error " + err + " above the bound " + bound[i]);
            }
        }
    }

    @Test
    void fixedPointSaturatesInsteadOfWrapping() {
        FixedPoint fp = new FixedPoint(16, 8);
        assertEquals(32767, fp.quantize(1e6f));
        assertEquals(-32768, fp.quantize(-1e6f));
        assertEquals(32767, fp.rescale(Long.MAX_VALUE / 4));
        assertEquals(-32768, fp.rescale(Long.MIN_VALUE / 4));
        assertEquals(256, fp.quantize(1f));
        assertEquals(1, fp.rescale(128)); // half a step rounds up
        // a sum that would wrap a 16-bit word saturates with the right sign
        long acc = 0;
        for (int i = 0; i < 1000; i++) acc += fp.quantize(100f) * fp.quantize(100f);
        assertEquals(32767, fp.rescale(acc));
        assertEquals(-32768, fp.rescale(-acc));
    }
}
