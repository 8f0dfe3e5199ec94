package fdht.kernels;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs a {@link CompiledPlan} stage by stage: {@code y = W x} for a batch, {@code x} laid out
 * {@code [b][j_1..j_d]} and {@code y} as {@code [b][i_1..i_d]}, both row-major floats in native
 * memory. Stage 1 reads {@code x} in place; the stages then alternate between the workspace's
 * two buffers; the last writes {@code y} directly when its order already is {@code y}'s, else a
 * final gather puts it there. Allocates nothing.
 *
 * <p>Thread safety: Stateless: safe to call from any thread. Each concurrent call needs its own {@link PlanWorkspace}.
 */
public final class PlanExecutor {
    private PlanExecutor() {}

    /** {@code y[yOff..] = W x[xOff..]} with the given kernels. */
    public static void apply(CompiledPlan plan, MemorySegment x, long xOff, MemorySegment y, long yOff, PlanWorkspace ws, Kernels k) {
        if (ws.plan != plan) throw new IllegalArgumentException("workspace was made for another plan");
        requireNative(x, "input");
        requireNative(y, "output");
        requireFloats(x, xOff, plan.inputSize(), "input");
        requireFloats(y, yOff, plan.resultSize(), "output");
        var steps = plan.steps();
        int last = steps.size() - 1;
        MemorySegment in = x;
        long inOff = xOff;
        for (int s = 0; s <= last; s++) {
            boolean direct = s == last && plan.lastStageWritesResult();
            MemorySegment out = direct ? y : ((s & 1) == 0 ? ws.ping : ws.pong);
            long outOff = direct ? yOff : 0;
            k.contract(steps.get(s), plan.factors(), in, inOff, out, outOff);
            in = out;
            inOff = outOff;
        }
        if (!plan.lastStageWritesResult()) {
            int n = (int) plan.resultSize();
            for (int e = 0; e < n; e++) {
                y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + e, in.getAtIndex(ValueLayout.JAVA_FLOAT, inOff + plan.resultSourceAt(e)));
            }
        }
    }

    static void requireNative(MemorySegment s, String what) {
        if (!s.isNative()) {
            throw new IllegalArgumentException(what + " segment is on the heap; the kernels take native segments only (copy it into an Arena-allocated buffer once)");
        }
    }

    static void requireFloats(MemorySegment s, long off, long floats, String what) {
        if (off < 0 || (off + floats) * Float.BYTES > s.byteSize()) {
            throw new IllegalArgumentException(what + " needs " + floats + " floats from float offset " + off + " but the segment holds "
                    + s.byteSize() / Float.BYTES + " floats");
        }
    }
}
