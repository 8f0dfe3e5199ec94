package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.LaneLayout;
import fdht.layout.CompiledPlan;
import fdht.layout.LanePlan;
import fdht.layout.Weights;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The stages of {@link HtStageBenchmark} over the lane layout ({@link Kernels#contractLanes}: the
 * batch innermost, the batch-1 plan's tables), the same work per operation: run both in one JMH
 * invocation with {@code FmaPeakBenchmark} to compare the kernels against each other and the peak.
 * The batch must be 1 or a multiple of the kernels' lanes (16 at 512 bits, 8 at 256); at batch 1
 * the lanes come from the plan's row axes ({@link LanePlan}; the block transpose before a stage
 * whose group changes is not part of the stage). FLOPs per operation: {@code 2 x batch x stage MACs
 * at batch 1}.
 */
public class LaneStageBenchmark extends PlanStageBenchmark {
    /** 1: one row, lanes from the plan's row axes ({@link LanePlan}); else the batch as lanes. */
    @Param({"1", "16", "64"})
    public int batch;

    private int lanes, chunks;
    private MemorySegment in, out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        kernels = KernelProvider.kernels();
        lanes = kernels.lanes();
        if (batch == 1) {
            setUpRow();
            return;
        }
        if (batch % lanes != 0)
            throw new IllegalStateException(
                    "batch " + batch + " is not a multiple of the kernels' " + lanes + " lanes");
        chunks = batch / lanes;
        BenchModel m = BenchModel.named(model);
        plan = m.stagePlan(rank, 1, arena);
        int cols = m.ht(rank).cols();
        long work = (long) batch * Math.max(plan.workSize(), plan.inputSize());
        MemorySegment x = BenchModel.paddedFrames(batch, cols, arena);
        MemorySegment src = Weights.floats(arena, work);
        LaneLayout.toLanes(x, 0, cols, batch, plan.inputSize(), src, 0, lanes);
        // the stage's real input: the stages before it, once; and every stage to C2 before JMH's
        // warm-up
        for (int s = 0; s < stage; s++) {
            MemorySegment dst = Weights.floats(arena, work);
            kernels.contractLanes(
                    plan.steps().get(s),
                    PlanTables.factorArray(plan),
                    src,
                    0,
                    dst,
                    0,
                    lanes,
                    chunks);
            src = dst;
        }
        in = src;
        out = Weights.floats(arena, work);
        step = plan.steps().get(stage);
        MemorySegment scratch = Weights.floats(arena, work);
        for (int i = 0; i < 300; i++) {
            for (CompiledPlan.Step st : plan.steps())
                kernels.contractLanes(
                        st, PlanTables.factorArray(plan), in, 0, scratch, 0, lanes, 1);
        }
    }

    /** Batch 1: the stage of the plan's lane layout, over an input of its (padded) size. */
    private void setUpRow() {
        BenchModel m = BenchModel.named(model);
        plan = m.stagePlan(rank, 1, arena);
        LanePlan lp = LanePlan.of(plan, lanes).orElseThrow();
        long work = Math.max(lp.workFloats(), Math.max(lp.inputFloats(), lp.transposeFloats()));
        in = Weights.floats(arena, work);
        for (long i = 0; i < work; i++) Weights.set(in, i, (float) Math.sin(i)); // any finite data
        out = Weights.floats(arena, work);
        step = lp.step(stage);
        chunks = 1;
        for (int i = 0; i < 300; i++) {
            for (int s = 0; s < plan.stageCount(); s++)
                kernels.contractLanes(
                        lp.step(s), PlanTables.factorArray(plan), in, 0, out, 0, lanes, 1);
        }
    }

    @Benchmark
    public MemorySegment stage() {
        kernels.contractLanes(step, PlanTables.factorArray(plan), in, 0, out, 0, lanes, chunks);
        return out;
    }
}
