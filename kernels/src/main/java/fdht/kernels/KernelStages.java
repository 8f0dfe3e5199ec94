package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.StageOperation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The float kernels as a {@link StageOperation} over native segments: the work buffers are a
 * {@link PlanWorkspace}'s, input and result are bound for one {@link PlanExecutor#apply} call.
 * One per workspace, so a call allocates nothing. Not thread-safe, like its workspace.
 */
final class KernelStages implements StageOperation {
    private final CompiledPlan plan;
    private final MemorySegment ping;
    private final MemorySegment pong;
    private MemorySegment x;
    private long xOff;
    private MemorySegment y;
    private long yOff;
    private Kernels kernels;

    KernelStages(CompiledPlan plan, MemorySegment ping, MemorySegment pong) {
        this.plan = plan;
        this.ping = ping;
        this.pong = pong;
    }

    void bind(MemorySegment x, long xOff, MemorySegment y, long yOff, Kernels kernels) {
        this.x = x;
        this.xOff = xOff;
        this.y = y;
        this.yOff = yOff;
        this.kernels = kernels;
    }

    /** Drops the caller's segments so the workspace does not keep them reachable. */
    void unbind() {
        x = null;
        y = null;
        kernels = null;
    }

    private MemorySegment segment(PlanBuffer b) {
        return switch (b) {
            case INPUT -> x;
            case PING -> ping;
            case PONG -> pong;
            case RESULT -> y;
        };
    }

    private long offset(PlanBuffer b) {
        return switch (b) {
            case INPUT -> xOff;
            case PING, PONG -> 0;
            case RESULT -> yOff;
        };
    }

    @Override
    public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
        kernels.contract(step, plan.factors(), segment(from), offset(from), segment(to), offset(to));
    }

    @Override
    public void gather(PlanBuffer from) {
        MemorySegment in = segment(from);
        long inOff = offset(from);
        int n = (int) plan.resultSize();
        for (int e = 0; e < n; e++) {
            y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + e, in.getAtIndex(ValueLayout.JAVA_FLOAT, inOff + plan.resultSourceAt(e)));
        }
    }
}
