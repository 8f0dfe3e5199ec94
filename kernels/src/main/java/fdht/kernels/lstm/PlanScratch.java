package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.PlanFactors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;

/**
 * The per-thread scratch of every structured projection (FDHT, HT-input, TT): the packed input
 * row, the plan compiled for one batch row, and its ping-pong buffers. A batch is contracted one
 * row at a time: packing a row and contracting it while it is still in L2 beats one plan over the
 * whole batch, whose intermediates spill from the caches (measured on LSTM-UCF rank 4: a 16-row
 * step 71 us per frame as one plan, 3 MB intermediates; the plan itself per frame 40 us at 1 row,
 * 42 us at 16). Not thread-safe.
 */
final class PlanScratch implements GateProjection.Scratch {
    final PackedInput input;
    final CompiledPlan plan;
    final PlanWorkspace work;
    private final int batch;
    private final int resultRow;

    PlanScratch(IntFunction<ContractionPlan> planForRows, PlanFactors weights, int width, int batch, Arena arena) {
        this.batch = batch;
        this.input = new PackedInput(arena, 1, width);
        this.plan = CompiledPlan.compile(planForRows.apply(1), weights, arena);
        this.work = new PlanWorkspace(this.plan, arena);
        this.resultRow = (int) plan.resultSize();
    }

    @Override
    public int batch() { return batch; }

    /**
     * {@code z[b] = W [x_b ; h_b ; 0]} for every batch row; {@code h == null} packs the frame alone
     * ({@code [x_b ; 0]}, HT on W_x only).
     */
    void project(MemorySegment x, long xOff, long xStride, MemorySegment h, int inputSize, int hidden, MemorySegment z, Kernels kernels) {
        for (int b = 0; b < batch; b++) {
            input.fill(x, xOff + b * xStride, 0, 0, inputSize);
            if (h != null) input.fill(h, (long) b * hidden, 0, inputSize, hidden);
            PlanExecutor.apply(plan, input.buffer, 0, z, (long) b * resultRow, work, kernels);
        }
    }
}
