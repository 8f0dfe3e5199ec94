package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.LanePlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for executing one {@link CompiledPlan} with one {@link Kernels}: the two
 * ping-pong buffers the stages alternate between, each {@code plan.workSize()} floats, in native
 * memory from the caller's arena; and, when the kernels are vector kernels and the plan has a lane
 * layout ({@link LanePlan}, padding at most {@link KernelOptions#laneMaxWaste} times its work, else
 * it runs row-major), the buffers of that layout (about three times the largest intermediate and
 * twice the input more). The {@link ExecutionPath} is chosen here, once; {@link PlanExecutor}
 * refuses other kernels than these. Not thread-safe: give every thread its own.
 */
public final class PlanWorkspace {
    final CompiledPlan plan;
    final Kernels kernels;
    final ExecutionPath path;
    final MemorySegment ping;
    final MemorySegment pong;
    final KernelStages stages;

    /** The plan in the lane layout ({@link ExecutionPath#ROW_LANES}), else null. */
    final LanePlanStages lanes;

    /**
     * The lane layout's staging row ({@link LanePlanStages#enterRow}): zeros up to its padded
     * input, or null with {@link #lanes}.
     */
    final MemorySegment staging;

    /** A workspace for the JVM's kernels and switches ({@link KernelProvider}). */
    public PlanWorkspace(CompiledPlan plan, Arena arena) {
        this(plan, KernelProvider.kernels(), KernelProvider.options(), arena);
    }

    /** A workspace for running {@code plan} with {@code kernels} and the JVM's switches. */
    public PlanWorkspace(CompiledPlan plan, Kernels kernels, Arena arena) {
        this(plan, kernels, KernelProvider.options(), arena);
    }

    /**
     * A workspace for running {@code plan} with {@code kernels}, on the path {@code options} allow.
     */
    public PlanWorkspace(CompiledPlan plan, Kernels kernels, KernelOptions options, Arena arena) {
        this.plan = plan;
        this.kernels = kernels;
        this.ping = Weights.floats(arena, plan.workSize());
        this.pong = Weights.floats(arena, plan.workSize());
        this.stages = new KernelStages(plan, ping, pong);
        int l = kernels.lanes();
        this.lanes =
                l > 1 && options.rowLanes()
                        ? LanePlan.of(plan, l, options.laneMaxWaste())
                                .map(p -> new LanePlanStages(p, arena))
                                .orElse(null)
                        : null;
        this.path = lanes == null ? ExecutionPath.ROW_MAJOR : ExecutionPath.ROW_LANES;
        this.staging = lanes == null ? null : Weights.floats(arena, lanes.lanePlan().inputFloats());
    }

    /** {@link ExecutionPath#ROW_LANES} or {@link ExecutionPath#ROW_MAJOR}, fixed when made. */
    public ExecutionPath path() {
        return path;
    }

    /** The kernels this workspace was made for; {@link PlanExecutor} takes no others. */
    public Kernels kernels() {
        return kernels;
    }

    /** The plan's lane-layout execution, or null when the plan runs row-major. */
    public LanePlanStages lanes() {
        return lanes;
    }

    /** The staging row for {@link LanePlanStages#enterRow} with {@link #lanes()}, or null. */
    public MemorySegment staging() {
        return staging;
    }

    public CompiledPlan plan() {
        return plan;
    }

    /** Native bytes this workspace holds. */
    public long bytes() {
        return ping.byteSize()
                + pong.byteSize()
                + (lanes == null ? 0 : lanes.bytes())
                + (staging == null ? 0 : staging.byteSize());
    }
}
