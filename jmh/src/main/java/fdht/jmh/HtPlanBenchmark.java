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

/** The whole HT matvec {@code y = W x} of the LSTM-UCF FDHT matrix for a batch (all stages and the final gather). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class HtPlanBenchmark {
    @Param({"4", "8"})
    public int rank;

    @Param({"1", "16"})
    public int batch;

    private Arena arena;
    private CompiledPlan plan;
    private Kernels kernels;
    private MemorySegment x, y;
    private PlanWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        HtMatrix w = LstmUcf.weights(rank, arena);
        plan = CompiledPlan.compile(ContractionPlanner.plan(w.format(), batch), w, arena);
        kernels = KernelProvider.kernels();
        x = LstmUcf.paddedFrames(batch, w.format().cols(), arena);
        y = Weights.floats(arena, plan.resultSize());
        work = new PlanWorkspace(plan, arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment wholePlan() {
        PlanExecutor.apply(plan, x, 0, y, 0, work, kernels);
        return y;
    }
}
