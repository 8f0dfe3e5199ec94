package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.PlanFactors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The per-thread scratch of every structured projection (FDHT, HT-input, TT): the packed input
 * row, the plan compiled for this batch size and its ping-pong buffers. Not thread-safe.
 */
final class PlanScratch implements GateProjection.Scratch {
    final PackedInput input;
    final CompiledPlan plan;
    final PlanWorkspace work;

    PlanScratch(ContractionPlan plan, PlanFactors weights, int width, int batch, Arena arena) {
        this.input = new PackedInput(arena, batch, width);
        this.plan = CompiledPlan.compile(plan, weights, arena);
        this.work = new PlanWorkspace(this.plan, arena);
    }

    @Override
    public int batch() { return input.batch; }

    /** {@code z = W [packed input]}. */
    void contract(MemorySegment z, Kernels kernels) {
        PlanExecutor.apply(plan, input.buffer, 0, z, 0, work, kernels);
    }
}
