package fdht.kernels.lstm;

import fdht.kernels.ExecutionPath;
import fdht.kernels.KernelOptions;
import fdht.kernels.Kernels;
import fdht.kernels.LanePlanStages;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.kernels.format.LayerFormat;
import fdht.layout.Axis;
import fdht.layout.CompiledPlan;
import fdht.layout.LanePlan;
import fdht.layout.PlanFactors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The per-thread scratch of every structured projection (FDHT, HT-input, TT): the plan compiled for
 * one batch row and the buffers of its execution. With the vector kernels every row runs in the
 * lane layout (DESIGN.md section 3: one vector load and a register-held factor entry per FMA,
 * {@code Kernels#contractLanes}), the CPU's mirror of the accelerator's banks: whole chunks of
 * {@code lanes} batch rows with the batch as lanes, packed by one transposing pass over {@code [x ;
 * h]}, and the rows left over (all of them below one chunk) one at a time with lanes from the
 * plan's row axes ({@link LanePlan}). Both walk the same stage kernel, so a row's result does not
 * depend on the path (bit for bit). The scalar kernels, and plans with no lane layout, run the
 * row-major plan ({@code PlanExecutor}). A row at a time keeps its intermediates in L2, where one
 * plan over a whole batch spills them.
 *
 * <p>Costs about {@code lanes x (width + 2 x workSize + resultSize)} floats of native memory for
 * the chunks (10 MB for LSTM-UCF at 16 lanes) and three times the largest intermediate plus twice
 * the input for the rows. The path is chosen once, when the scratch is made for its kernels ({@link
 * #path()}); {@link KernelOptions#laneBatches} and {@link KernelOptions#rowLanes} turn either lane
 * path off, for measuring one path against another in one JVM. Not thread-safe.
 */
final class PlanScratch implements GateProjection.Scratch {
    final PackedInput input;
    final CompiledPlan plan;
    final PlanWorkspace work;
    private final int batch;
    private final int resultRow;
    private final Kernels kernels;
    private final ExecutionPath path;

    /**
     * Whole chunks of {@code lanes} batch rows in the lane layout with the batch as lanes (the plan
     * for {@code lanes} rows), or null (scalar kernels, a batch smaller than one chunk, or {@link
     * KernelOptions#laneBatches} off).
     */
    private final LanePlanStages chunks;

    /**
     * One row at a time in the lane layout with lanes from the plan's row axes (the workspace's),
     * or null (scalar kernels, no such layout for this plan, or {@link KernelOptions#rowLanes}
     * off).
     */
    private final LanePlanStages rows;

    /** The scratch of {@code projection} for {@code batch} rows run by {@code kernels}. */
    PlanScratch(
            PlannedProjection projection,
            int batch,
            Kernels kernels,
            KernelOptions options,
            Arena arena) {
        LayerFormat.Planned format = projection.format();
        PlanFactors weights = projection.weights();
        this.batch = batch;
        this.kernels = kernels;
        this.input = new PackedInput(arena, 1, weights.format().cols());
        this.plan = CompiledPlan.compile(format.plan(1), weights, arena);
        this.work = new PlanWorkspace(this.plan, kernels, options, arena);
        this.resultRow = (int) plan.resultSize();
        int l = kernels.lanes();
        this.rows = work.lanes();
        this.chunks =
                l > 1 && batch >= l && options.laneBatches()
                        ? batchLanes(CompiledPlan.compile(format.plan(l), weights, arena), arena)
                        : null;
        this.path = chunks != null ? ExecutionPath.BATCH_LANES : work.path();
    }

    /**
     * The path chosen for these kernels: {@link ExecutionPath#BATCH_LANES} (the rows below a whole
     * chunk then run on {@link #rowPath()}), else {@link #rowPath()}.
     */
    @Override
    public ExecutionPath path() {
        return path;
    }

    /**
     * The path of single rows: {@link ExecutionPath#ROW_LANES} or {@link ExecutionPath#ROW_MAJOR}.
     */
    @Override
    public ExecutionPath rowPath() {
        return work.path();
    }

    /** The plan for one chunk of rows with its batch as the lanes in every stage, else null. */
    private static LanePlanStages batchLanes(CompiledPlan chunkPlan, Arena arena) {
        int l = chunkPlan.batch();
        return LanePlan.of(chunkPlan, l)
                .filter(
                        p -> {
                            for (int s = 0; s < chunkPlan.stageCount(); s++)
                                if (!p.group(s).equals(List.of(Axis.batch(l)))) return false;
                            return true;
                        })
                .map(p -> new LanePlanStages(p, arena))
                .orElse(null);
    }

    @Override
    public int batch() {
        return batch;
    }

    /**
     * {@code z[b] = W [x_b ; h_b ; 0]} for every batch row; {@code h == null} packs the frame alone
     * ({@code [x_b ; 0]}, HT on W_x only).
     */
    void project(
            MemorySegment x,
            long xOff,
            long xStride,
            MemorySegment h,
            int inputSize,
            int hidden,
            MemorySegment z,
            Kernels kernels) {
        if (kernels != this.kernels)
            throw new IllegalArgumentException(
                    "scratch was made for the "
                            + this.kernels.name()
                            + " kernels but is run with the "
                            + kernels.name()
                            + " kernels: make the workspace with the layer that runs it");
        int b = 0;
        if (path == ExecutionPath.BATCH_LANES) {
            int l = chunks.lanes();
            for (; b + l <= batch; b += l) {
                MemorySegment in = chunks.input();
                kernels.toLanes(x, xOff + b * xStride, xStride, inputSize, in, 0);
                if (h != null)
                    kernels.toLanes(h, (long) b * hidden, hidden, hidden, in, (long) inputSize * l);
                chunks.walk(kernels);
                chunks.exit(z, (long) b * resultRow);
            }
        }
        for (; b < batch; b++) {
            if (rows != null) {
                rows.enterRow(
                        x,
                        xOff + b * xStride,
                        inputSize,
                        h,
                        (long) b * hidden,
                        hidden,
                        work.staging(),
                        kernels);
                rows.walk(kernels);
                rows.exit(z, (long) b * resultRow);
                continue;
            }
            input.fill(x, xOff + b * xStride, 0, 0, inputSize);
            if (h != null) input.fill(h, (long) b * hidden, 0, inputSize, hidden);
            PlanExecutor.apply(plan, input.buffer, 0, z, (long) b * resultRow, work, kernels);
        }
    }
}
