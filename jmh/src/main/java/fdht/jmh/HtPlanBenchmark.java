package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The whole HT matvec {@code y = W x} of the FDHT matrix of LSTM-UCF or LSTM-Youtube for a batch
 * (all stages and the final gather), or of an HT matrix of another shape ({@code format}).
 */
public class HtPlanBenchmark extends ModelBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    /**
     * Empty: the model's FDHT matrix. Else an HT matrix {@code rows/cols/rank} with a balanced
     * tree, e.g. {@code 4x2x2/4x5x5/3}, random weights and input ({@code model} and {@code rank}
     * unused).
     */
    @Param({""})
    public String format;

    /**
     * {@code lanes}: the default path; {@code rows}: the workspace made with {@code
     * KernelOptions#rowLanes} off, the row-major plan on the row-folded kernel.
     */
    @Param({"lanes"})
    public String layout;

    private CompiledPlan plan;
    private Kernels kernels;
    private MemorySegment x, y;
    private PlanWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        HtMatrix w =
                format.isEmpty()
                        ? BenchModel.named(model).htWeights(rank, arena)
                        : HtMatrix.random(parse(format), 2022, arena);
        plan = CompiledPlan.compile(ContractionPlanner.plan(w.format(), batch), w, arena);
        kernels = KernelProvider.kernels();
        if (format.isEmpty()) {
            x = BenchModel.paddedFrames(batch, w.format().cols(), arena);
        } else {
            x = Weights.floats(arena, plan.inputSize());
            SplittableRandom r = new SplittableRandom(7);
            for (long e = 0; e < plan.inputSize(); e++)
                Weights.set(x, e, (float) (r.nextDouble() * 2 - 1));
        }
        y = Weights.floats(arena, plan.resultSize());
        work =
                new PlanWorkspace(
                        plan,
                        kernels,
                        KernelProvider.options().withRowLanes(layout.equals("lanes")),
                        arena);
        BenchModel.warmUp(
                BenchModel.named(model).fdht(rank, arena),
                3000); // as HtStageBenchmark: kernels to C2 before the first large call
    }

    private static HtFormat parse(String f) {
        String[] p = f.split("/");
        if (p.length != 3)
            throw new IllegalArgumentException("format '" + f + "' is not rows/cols/rank");
        return HtFormat.uniform(factors(p[0]), factors(p[1]), Integer.parseInt(p[2]));
    }

    private static int[] factors(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    @Benchmark
    public MemorySegment wholePlan() {
        PlanExecutor.apply(plan, x, 0, y, 0, work, kernels);
        return y;
    }
}
