package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.LanePlan;
import fdht.layout.PlanBuffer;
import fdht.layout.PlanWalker;
import fdht.layout.StageOperation;
import fdht.layout.Weights;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One batch row in the lane layout with lanes from row axes ({@link LanePlan}) as a {@link
 * StageOperation}, so {@link PlanWalker} decides the buffers as it does for a row: a stage is one
 * {@link Kernels#contractLanes} over the plan's reduced step, preceded by one {@link
 * Kernels#transposeBlocks} pass where the stage's lane group differs from the previous one. The
 * input enters by {@link #enter} (whole {@code lanes x lanes} transposes of the row), the result
 * leaves by {@link #exit}; the walker's gather does nothing, as the exit reads the last stage's
 * output wherever it is. Holds its buffers (about three times the plan's largest intermediate plus
 * the input); allocates nothing per row. Not thread-safe: one per thread, like the workspaces that
 * own it.
 */
public final class LanePlanStages implements StageOperation {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final LanePlan lanePlan;
    private final CompiledPlan plan;
    private final int lanes;
    // indexed by PlanBuffer.ordinal(); RESULT is a lane-layout buffer of the last stage's output
    private final MemorySegment[] segment = new MemorySegment[PlanBuffer.values().length];
    private final MemorySegment transposed;
    private Kernels kernels;

    public LanePlanStages(LanePlan lanePlan, Arena arena) {
        this.lanePlan = lanePlan;
        this.plan = lanePlan.plan();
        this.lanes = lanePlan.lanes();
        // zeroed once here: the padding of a padded first group is never written again
        segment[PlanBuffer.INPUT.ordinal()] = Weights.floats(arena, lanePlan.inputFloats());
        segment[PlanBuffer.PING.ordinal()] = Weights.floats(arena, lanePlan.workFloats());
        segment[PlanBuffer.PONG.ordinal()] = Weights.floats(arena, lanePlan.workFloats());
        segment[PlanBuffer.RESULT.ordinal()] = Weights.floats(arena, lanePlan.lastOutputFloats());
        long t = lanePlan.transposeFloats();
        this.transposed = t == 0 ? null : Weights.floats(arena, t);
    }

    /** Native bytes of its buffers. */
    public long bytes() {
        long b = transposed == null ? 0 : transposed.byteSize();
        for (MemorySegment m : segment) b += m.byteSize();
        return b;
    }

    public int lanes() {
        return lanes;
    }

    public LanePlan lanePlan() {
        return lanePlan;
    }

    /** The lane-layout input the stages read, for callers that pack it themselves. */
    public MemorySegment input() {
        return segment[PlanBuffer.INPUT.ordinal()];
    }

    /**
     * Packs input floats {@code [from, from + lanes*rowFloats)} of the row, held at {@code src +
     * srcOff} onwards, as entry chunk {@code from / (lanes*rowFloats)}.
     */
    public void enter(MemorySegment src, long srcOff, long from, Kernels kernels) {
        int row = (int) lanePlan.entryRowFloats();
        MemorySegment dst = segment[PlanBuffer.INPUT.ordinal()];
        if (kernels.lanes() == lanes) kernels.toLanes(src, srcOff, row, row, dst, from);
        else LaneLayout.toLanes(src, srcOff, row, lanes, row, dst, from, lanes); // scalar twin
    }

    /**
     * Packs one input row {@code [x ; h ; 0]} ({@code xFloats} floats of {@code x}, then {@code
     * hFloats} of {@code h} when it is not null, then zeros up to the padded input): every entry
     * chunk that lies in {@code x} is transposed straight from it; the chunks that reach past it
     * from {@code staging} (at least {@link LanePlan#inputFloats()} floats, zero past what this
     * writes), filled from the first such chunk on.
     */
    public void enterRow(
            MemorySegment x,
            long xOff,
            long xFloats,
            MemorySegment h,
            long hOff,
            long hFloats,
            MemorySegment staging,
            Kernels kernels) {
        long chunk = lanes * lanePlan.entryRowFloats(), bytes = Float.BYTES;
        boolean staged = false;
        for (long from = 0; from < lanePlan.inputFloats(); from += chunk) {
            if (from + chunk <= xFloats) {
                enter(x, xOff + from, from, kernels);
                continue;
            }
            if (!staged) {
                if (from < xFloats)
                    MemorySegment.copy(
                            x,
                            (xOff + from) * bytes,
                            staging,
                            from * bytes,
                            (xFloats - from) * bytes);
                if (h != null)
                    MemorySegment.copy(h, hOff * bytes, staging, xFloats * bytes, hFloats * bytes);
                staged = true;
            }
            enter(staging, from, from, kernels);
        }
    }

    /** Runs the stages over what {@link #enter} packed. */
    public void walk(Kernels kernels) {
        this.kernels = kernels;
        PlanWalker.forward(plan, this);
    }

    @Override
    public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
        int s = step.stage().index();
        MemorySegment in = segment[from.ordinal()];
        int[] src = lanePlan.transposeSource(s);
        if (src != null) {
            kernels.transposeBlocks(
                    in, 0, src, transposed, 0, lanePlan.transposeDestination(s), lanes);
            in = transposed;
        }
        kernels.contractLanes(
                lanePlan.step(s),
                PlanTables.factorArray(plan),
                in,
                0,
                segment[to.ordinal()],
                0,
                lanes,
                1);
    }

    /** Nothing: {@link #exit} reads the last stage's output in place. */
    @Override
    public void gather(PlanBuffer from) {}

    /**
     * Writes the result row ({@code resultSize} floats in the plan's result order) at {@code y}.
     */
    public void exit(MemorySegment y, long yOff) {
        MemorySegment in = segment[PlanWalker.output(plan, plan.stageCount() - 1).ordinal()];
        int n = lanePlan.resultSize();
        if (lanePlan.resultInVectors()) {
            long bytes = (long) lanes * Float.BYTES;
            for (int e = 0; e < n; e += lanes)
                MemorySegment.copy(
                        in,
                        (long) lanePlan.resultSourceAt(e) * Float.BYTES,
                        y,
                        (yOff + e) * Float.BYTES,
                        bytes);
        } else {
            for (int e = 0; e < n; e++)
                y.setAtIndex(F, yOff + e, in.getAtIndex(F, lanePlan.resultSourceAt(e)));
        }
    }
}
