package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.StageOperation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The float kernels as a {@link StageOperation} over native segments: the work buffers are a {@link
 * PlanWorkspace}'s, input and result are bound for one {@link PlanExecutor#apply} call. One per
 * workspace, so a call allocates nothing. Not thread-safe, like its workspace.
 */
final class KernelStages implements StageOperation {
    private final CompiledPlan plan;
    // indexed by PlanBuffer.ordinal(): the segment and float offset of each buffer
    private final MemorySegment[] segment = new MemorySegment[PlanBuffer.values().length];
    private final long[] offset = new long[segment.length];
    private Kernels kernels;

    KernelStages(CompiledPlan plan, MemorySegment ping, MemorySegment pong) {
        this.plan = plan;
        segment[PlanBuffer.PING.ordinal()] = ping;
        segment[PlanBuffer.PONG.ordinal()] = pong;
    }

    void bind(MemorySegment x, long xOff, MemorySegment y, long yOff, Kernels kernels) {
        segment[PlanBuffer.INPUT.ordinal()] = x;
        offset[PlanBuffer.INPUT.ordinal()] = xOff;
        segment[PlanBuffer.RESULT.ordinal()] = y;
        offset[PlanBuffer.RESULT.ordinal()] = yOff;
        this.kernels = kernels;
    }

    /** Drops the caller's segments so the workspace does not keep them reachable. */
    void unbind() {
        segment[PlanBuffer.INPUT.ordinal()] = null;
        segment[PlanBuffer.RESULT.ordinal()] = null;
        kernels = null;
    }

    private MemorySegment segment(PlanBuffer b) {
        return segment[b.ordinal()];
    }

    private long offset(PlanBuffer b) {
        return offset[b.ordinal()];
    }

    @Override
    public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
        kernels.contract(
                step, plan.factors(), segment(from), offset(from), segment(to), offset(to));
    }

    @Override
    public void gather(PlanBuffer from) {
        MemorySegment in = segment(from);
        long inOff = offset(from);
        int n = (int) plan.resultSize();
        MemorySegment y = segment(PlanBuffer.RESULT);
        long yOff = offset(PlanBuffer.RESULT);
        for (int e = 0; e < n; e++) {
            y.setAtIndex(
                    ValueLayout.JAVA_FLOAT,
                    yOff + e,
                    in.getAtIndex(ValueLayout.JAVA_FLOAT, inOff + plan.resultSourceAt(e)));
        }
    }
}
