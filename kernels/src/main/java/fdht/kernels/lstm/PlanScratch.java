package fdht.kernels.lstm;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.LaneLayout;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.PlanFactors;
import fdht.layout.PlanWalker;
import fdht.layout.RowLanePlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;

/**
 * The per-thread scratch of every structured projection (FDHT, HT-input, TT): the packed input row,
 * the plan compiled for one batch row, and its ping-pong buffers. A batch is contracted one row at
 * a time: packing a row and contracting it while it is still in L2 beats one plan over the whole
 * batch, whose intermediates spill from the caches (measured on LSTM-UCF rank 4: a 16-row step 71
 * us per frame as one plan, 3 MB intermediates; the plan itself per frame 40 us at 1 row, 42 us at
 * 16).
 *
 * <p>When the batch holds at least one vector of rows ({@code Kernels#lanes()}, 16 at 512 bits),
 * whole chunks of that many rows run in the lane layout instead (the batch innermost: one vector
 * load and a register-held factor entry per FMA, {@code Kernels#contractLanes}), packed by one
 * transposing pass over {@code [x ; h]}; the rows left over run one at a time. Costs about {@code
 * lanes x (width + 2 x workSize + resultSize)} floats of native memory more (10 MB for LSTM-UCF at
 * 16 lanes). {@code -Dfdht.laneBatches=false}, read when the scratch is made, keeps every batch on
 * rows. Not thread-safe.
 */
final class PlanScratch implements GateProjection.Scratch {
    final PackedInput input;
    final CompiledPlan plan;
    final PlanWorkspace work;
    private final int batch;
    private final int resultRow;

    /**
     * Rows per lane-layout chunk: the JVM's kernels' lanes when the batch holds a chunk, else 0
     * (rows only).
     */
    private final int lanes;

    private final MemorySegment laneIn, laneResult;

    /**
     * The lane chunk's buffers as a stage operation that {@link PlanWalker} walks, as {@link
     * PlanExecutor} walks a row.
     */
    private final LaneStages laneStages;

    /**
     * A row at a time in the lane layout with lanes from the plan's row axes, or null (scalar
     * kernels, no such layout for this plan, or {@code -Dfdht.rowLanes=false}).
     */
    private final RowLaneStages rowLanes;

    PlanScratch(
            IntFunction<ContractionPlan> planForRows,
            PlanFactors weights,
            int width,
            int batch,
            Arena arena) {
        this.batch = batch;
        this.input = new PackedInput(arena, 1, width);
        this.plan = CompiledPlan.compile(planForRows.apply(1), weights, arena);
        this.work = new PlanWorkspace(this.plan, arena);
        this.resultRow = (int) plan.resultSize();
        int l = KernelProvider.kernels().lanes();
        // -Dfdht.laneBatches=false: rows only, for measuring one path against the other in one JVM
        this.lanes =
                l > 1
                                && batch >= l
                                && Boolean.parseBoolean(
                                        System.getProperty("fdht.laneBatches", "true"))
                        ? l
                        : 0;
        this.laneIn =
                lanes == 0
                        ? null
                        : Weights.floats(
                                arena, (long) lanes * width); // zero padding written once, here
        this.laneResult = lanes == 0 ? null : Weights.floats(arena, (long) lanes * resultRow);
        this.laneStages =
                lanes == 0
                        ? null
                        : new LaneStages(
                                plan,
                                lanes,
                                laneIn,
                                Weights.floats(arena, (long) lanes * plan.workSize()),
                                Weights.floats(arena, (long) lanes * plan.workSize()),
                                laneResult);
        this.rowLanes = rowLanes(plan, l, arena);
    }

    private static RowLaneStages rowLanes(CompiledPlan plan, int lanes, Arena arena) {
        if (lanes <= 1 || !Boolean.parseBoolean(System.getProperty("fdht.rowLanes", "true")))
            return null;
        return RowLanePlan.of(plan, lanes).map(p -> new RowLaneStages(p, arena)).orElse(null);
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
        int b = 0;
        if (lanes > 0 && kernels.lanes() == lanes) {
            for (; b + lanes <= batch; b += lanes)
                projectChunk(x, xOff + b * xStride, xStride, h, b, inputSize, hidden, z, kernels);
        }
        for (; b < batch; b++) {
            if (rowLanes != null && kernels.lanes() == rowLanes.lanes()) {
                projectRow(x, xOff + b * xStride, h, (long) b * hidden, inputSize, hidden, kernels);
                rowLanes.exit(z, (long) b * resultRow);
                continue;
            }
            input.fill(x, xOff + b * xStride, 0, 0, inputSize);
            if (h != null) input.fill(h, (long) b * hidden, 0, inputSize, hidden);
            PlanExecutor.apply(plan, input.buffer, 0, z, (long) b * resultRow, work, kernels);
        }
    }

    /**
     * One row in the lane layout with lanes from row axes: every entry chunk that lies in the frame
     * is transposed straight from {@code x}; the chunks that reach past it from the packed row
     * {@code [x ; h ; 0]}, filled from there on only.
     */
    private void projectRow(
            MemorySegment x,
            long xRow,
            MemorySegment h,
            long hRow,
            int inputSize,
            int hidden,
            Kernels kernels) {
        long chunk = rowLanes.lanes() * rowLanes.entryRowFloats();
        boolean packed = false;
        for (long from = 0; from < plan.inputSize(); from += chunk) {
            if (from + chunk <= inputSize) {
                rowLanes.enter(x, xRow + from, from, kernels);
                continue;
            }
            if (!packed) {
                if (from < inputSize)
                    input.fill(x, xRow + from, 0, (int) from, (int) (inputSize - from));
                if (h != null) input.fill(h, hRow, 0, inputSize, hidden);
                packed = true;
            }
            rowLanes.enter(input.buffer, from, from, kernels);
        }
        rowLanes.walk(kernels);
    }

    /**
     * Rows {@code b0 .. b0+lanes-1} in the lane layout: pack, walk the stages by {@code
     * contractLanes}, unpack into z.
     */
    private void projectChunk(
            MemorySegment x,
            long xOff,
            long xStride,
            MemorySegment h,
            int b0,
            int inputSize,
            int hidden,
            MemorySegment z,
            Kernels kernels) {
        kernels.toLanes(x, xOff, xStride, inputSize, laneIn, 0);
        if (h != null)
            kernels.toLanes(
                    h, (long) b0 * hidden, hidden, hidden, laneIn, (long) inputSize * lanes);
        laneStages.bind(kernels);
        PlanWalker.forward(plan, laneStages);
        LaneLayout.fromLanes(
                laneResult, 0, lanes, lanes, resultRow, z, (long) b0 * resultRow, resultRow);
    }
}
