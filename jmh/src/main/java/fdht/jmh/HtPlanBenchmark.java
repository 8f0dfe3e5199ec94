package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The whole HT matvec {@code y = W x} of the FDHT matrix of LSTM-UCF or LSTM-Youtube for a batch
 * (all stages and the final gather).
 */
public class HtPlanBenchmark extends ModelBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private CompiledPlan plan;
    private Kernels kernels;
    private MemorySegment x, y;
    private PlanWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        HtMatrix w = BenchModel.named(model).htWeights(rank, arena);
        plan = CompiledPlan.compile(ContractionPlanner.plan(w.format(), batch), w, arena);
        kernels = KernelProvider.kernels();
        x = BenchModel.paddedFrames(batch, w.format().cols(), arena);
        y = Weights.floats(arena, plan.resultSize());
        work = new PlanWorkspace(plan, arena);
        BenchModel.warmUp(
                BenchModel.named(model).fdht(rank, arena),
                3000); // as HtStageBenchmark: kernels to C2 before the first large call
    }

    @Benchmark
    public MemorySegment wholePlan() {
        PlanExecutor.apply(plan, x, 0, y, 0, work, kernels);
        return y;
    }
}
