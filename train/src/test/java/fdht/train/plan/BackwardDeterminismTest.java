package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fdht.kernels.KernelProvider;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The backward kernels give the same bits on their first calls, run by the interpreter, as after C2
 * compiled them: no sum's order depends on the JIT's state. The factor gradient once summed its
 * lanes with {@code reduceLanes(ADD)}, whose order differs between the interpreter and C2, so two
 * runs of the same {@code fdht train --threads 1} command ended up to 1.8e-7 apart (the first
 * batches of each run reduced in another order than the rest). {@code TrainingDeterminismTest}
 * checks the whole trainer across JVMs.
 */
class BackwardDeterminismTest {
    @Test
    void stageKernelsGiveTheSameBitsBeforeAndAfterTheJitCompiledThem() {
        BackwardKernels bk = BackwardProvider.kernels();
        int lanes = KernelProvider.kernels().lanes();
        // shapes with the blocked paths (4x4, 2x4) and their tails, two chunks of lanes
        HtFormat f = HtFormat.uniform(new int[] {16, 4, 3}, new int[] {5, 8, 7}, 5);
        SplittableRandom r = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            CompiledPlan plan =
                    CompiledPlan.compile(
                            ContractionPlanner.plan(f, 1), HtMatrix.random(f, 3, arena), arena);
            int chunks = 2;
            for (int s = 0; s < plan.stageCount(); s++) {
                CompiledPlan.Step v = plan.step(s);
                int in = Math.toIntExact(v.inputSize() * lanes * chunks),
                        out = Math.toIntExact((long) v.p() * v.q() * lanes * chunks);
                MemorySegment x = BackwardTwinProperties.random(arena, in, r),
                        g = BackwardTwinProperties.random(arena, out, r),
                        dIn = Weights.floats(arena, in),
                        dF = PlanTape.factorBuffer(plan, arena);
                int nf = Math.toIntExact(dF.byteSize() / Float.BYTES);
                float[] firstIn = null, firstF = null;
                for (int call = 0; call <= 4000; call++) {
                    dF.fill((byte) 0);
                    bk.stageInputLanes(v, plan.factors(), g, 0, dIn, 0, lanes, chunks);
                    bk.stageFactorLanes(v, x, 0, g, 0, dF, lanes, chunks);
                    if (call == 0) {
                        firstIn = Weights.toArray(dIn, 0, in);
                        firstF = Weights.toArray(dF, 0, nf);
                    } else if (call % 500 == 0) {
                        String what = "stage " + (s + 1) + ", call " + call + ", " + bk.name();
                        assertArrayEquals(firstIn, Weights.toArray(dIn, 0, in), what + ": dIn");
                        assertArrayEquals(firstF, Weights.toArray(dF, 0, nf), what + ": dF");
                    }
                }
            }
        }
    }
}
