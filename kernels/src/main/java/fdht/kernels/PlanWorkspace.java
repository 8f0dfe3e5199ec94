package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for executing one {@link CompiledPlan}: the two ping-pong buffers the stages
 * alternate between, each {@code plan.workSize()} floats, in native memory from the caller's arena.
 * Not thread-safe: give every thread its own.
 */
public final class PlanWorkspace {
    final CompiledPlan plan;
    final MemorySegment ping;
    final MemorySegment pong;
    final KernelStages stages;

    public PlanWorkspace(CompiledPlan plan, Arena arena) {
        this.plan = plan;
        this.ping = Weights.floats(arena, plan.workSize());
        this.pong = Weights.floats(arena, plan.workSize());
        this.stages = new KernelStages(plan, ping, pong);
    }

    public CompiledPlan plan() {
        return plan;
    }

    /** Native bytes this workspace holds. */
    public long bytes() {
        return ping.byteSize() + pong.byteSize();
    }
}
