package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The HT matvec of the FDHT matrix of LSTM-UCF or LSTM-Youtube, one stage at a time ({@code stage};
 * the whole matvec is {@link HtPlanBenchmark}). The plans at ranks 4 and 8 both have four stages
 * (the planner fuses the transfer tensors into the leaf stages); setup fails loudly if that ever
 * changes. FLOPs per operation: {@code 2 x stage MACs}, printed by {@code ReportTable}.
 */
public class HtStageBenchmark extends PlanStageBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private MemorySegment x, in, out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        BenchModel m = BenchModel.named(model);
        plan = m.stagePlan(rank, batch, arena);
        kernels = KernelProvider.kernels();
        // the stage kernels to C2 on batch-1 shapes first: stage 0 at batch 16 interpreted takes
        // half a second a call, and 3 s of warm-up then ended with it still boxing (42 MB/op, Zen
        // 3)
        m.warmFdht(rank, arena);
        step = plan.steps().get(stage);
        x = BenchModel.paddedFrames(batch, m.ht(rank).cols(), arena);
        in = Weights.floats(arena, Math.max(plan.workSize(), plan.inputSize()));
        out = Weights.floats(arena, plan.workSize());
        // the stage's real input: run the stages before it once
        MemorySegment src = x;
        for (int s = 0; s < stage; s++) {
            MemorySegment dst = Weights.floats(arena, plan.workSize());
            kernels.contract(plan.steps().get(s), plan.factors(), src, 0, dst, 0);
            src = dst;
        }
        MemorySegment.copy(src, 0, in, 0, Math.min(src.byteSize(), in.byteSize()));
    }

    @Benchmark
    public MemorySegment stage() {
        kernels.contract(step, plan.factors(), in, 0, out, 0);
        return out;
    }
}
