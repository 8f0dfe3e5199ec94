package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HT matvec of the LSTM-UCF FDHT matrix, one stage at a time ({@code stage}; the whole
 * matvec is {@link HtPlanBenchmark}). The plans at ranks 4 and 8 both have four stages (the planner
 * fuses the transfer tensors into the leaf stages); setup fails loudly if that ever changes.
 * FLOPs per operation: {@code 2 x stage MACs}, printed by {@code ReportTable}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class HtStageBenchmark {
    static final int STAGES = 4;

    @Param({"4", "8"})
    public int rank;

    @Param({"1", "16"})
    public int batch;

    @Param({"0", "1", "2", "3"})
    public int stage;

    private Arena arena;
    private CompiledPlan plan;
    private CompiledPlan.Step step;
    private Kernels kernels;
    private MemorySegment x, in, out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        HtMatrix w = LstmUcf.weights(rank, arena);
        plan = CompiledPlan.compile(ContractionPlanner.plan(w.format(), batch), w, arena);
        if (plan.steps().size() != STAGES) {
            throw new IllegalStateException("the rank-" + rank + " plan has " + plan.steps().size() + " stages; update HtStageBenchmark's stage parameter");
        }
        kernels = KernelProvider.kernels();
        step = plan.steps().get(stage);
        x = LstmUcf.paddedFrames(batch, w.format().cols(), arena);
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

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment stage() {
        kernels.contract(step, plan.factors(), in, 0, out, 0);
        return out;
    }
}
