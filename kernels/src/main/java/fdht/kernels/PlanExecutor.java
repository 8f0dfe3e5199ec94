package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.PlanWalker;
import java.lang.foreign.MemorySegment;

/**
 * Runs a {@link CompiledPlan} stage by stage: {@code y = W x} for a batch, {@code x} laid out
 * {@code [b][j_1..j_d]} and {@code y} as {@code [b][i_1..i_d]}, both row-major floats in native
 * memory, walked by {@link PlanWalker} with the workspace's kernel stage operation: stage 1 reads
 * {@code x} in place, the stages alternate between the workspace's two buffers, the last writes
 * {@code y} directly when its order already is {@code y}'s, else a final gather puts it there.
 * Allocates nothing.
 *
 * <p>Thread safety: Stateless: safe to call from any thread. Each concurrent call needs its own
 * {@link PlanWorkspace}, made for the kernels it is called with.
 */
public final class PlanExecutor {
    private PlanExecutor() {}

    /** {@code y[yOff..] = W x[xOff..]} with the given kernels. */
    public static void apply(
            CompiledPlan plan,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            PlanWorkspace ws,
            Kernels k) {
        if (ws.plan != plan)
            throw new IllegalArgumentException("workspace was made for another plan");
        if (ws.kernels != k)
            throw new IllegalArgumentException(
                    "workspace was made for the "
                            + ws.kernels.name()
                            + " kernels but is run with the "
                            + k.name()
                            + " kernels: make a PlanWorkspace for these kernels");
        requireNative(x, "input");
        requireNative(y, "output");
        requireFloats(x, xOff, plan.inputSize(), "input");
        requireFloats(y, yOff, plan.resultSize(), "output");
        if (ws.path == ExecutionPath.ROW_LANES) {
            // the lane layout: entry by whole-vector transposes, the stages, the result
            ws.lanes.enterRow(x, xOff, plan.inputSize(), null, 0, 0, ws.staging, k);
            ws.lanes.walk(k);
            ws.lanes.exit(y, yOff);
            return;
        }
        ws.stages.bind(x, xOff, y, yOff, k);
        try {
            PlanWalker.forward(plan, ws.stages);
        } finally {
            ws.stages.unbind();
        }
    }

    static void requireNative(MemorySegment s, String what) {
        if (!s.isNative()) {
            throw new IllegalArgumentException(
                    what
                            + " segment is on the heap; the kernels take native segments only (copy it into an Arena-allocated buffer once)");
        }
    }

    static void requireFloats(MemorySegment s, long off, long floats, String what) {
        if (off < 0 || (off + floats) * Float.BYTES > s.byteSize()) {
            throw new IllegalArgumentException(
                    what
                            + " needs "
                            + floats
                            + " floats from float offset "
                            + off
                            + " but the segment holds "
                            + s.byteSize() / Float.BYTES
                            + " floats");
        }
    }
}
