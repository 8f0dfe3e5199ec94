package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.LanePlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for executing one {@link CompiledPlan}: the two ping-pong buffers the stages
 * alternate between, each {@code plan.workSize()} floats, in native memory from the caller's arena;
 * and, when the JVM's kernels are vector kernels and the plan has a lane layout ({@link LanePlan},
 * padding at most {@link LanePlan#MAX_WASTE} times its work, else it runs row-major), the buffers
 * of that layout (about three times the largest intermediate and twice the input more). Not
 * thread-safe: give every thread its own.
 */
public final class PlanWorkspace {
    final CompiledPlan plan;
    final MemorySegment ping;
    final MemorySegment pong;
    final KernelStages stages;

    /** The plan in the lane layout, or null (scalar kernels, or no lane layout for the plan). */
    final LanePlanStages lanes;

    /**
     * The lane layout's staging row ({@link LanePlanStages#enterRow}): zeros up to its padded
     * input, or null with {@link #lanes}.
     */
    final MemorySegment staging;

    public PlanWorkspace(CompiledPlan plan, Arena arena) {
        this.plan = plan;
        this.ping = Weights.floats(arena, plan.workSize());
        this.pong = Weights.floats(arena, plan.workSize());
        this.stages = new KernelStages(plan, ping, pong);
        int l = KernelProvider.kernels().lanes();
        // -Dfdht.rowLanes=false: the row-major plan only; -Dfdht.laneMaxWaste=Infinity: every plan
        // in the lane layout, however padded; both to measure one path against the other
        String waste = System.getProperty("fdht.laneMaxWaste", String.valueOf(LanePlan.MAX_WASTE));
        double maxWaste;
        try {
            maxWaste = Double.parseDouble(waste);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-Dfdht.laneMaxWaste must be a number >= 1 (or Infinity), not '" + waste + "'");
        }
        this.lanes =
                l > 1 && Boolean.parseBoolean(System.getProperty("fdht.rowLanes", "true"))
                        ? LanePlan.of(plan, l, maxWaste)
                                .map(p -> new LanePlanStages(p, arena))
                                .orElse(null)
                        : null;
        this.staging = lanes == null ? null : Weights.floats(arena, lanes.lanePlan().inputFloats());
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
