package fdht.train.plan;

import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compiled batch-1 plan run forward with a tape over a batch held in the lane layout, and
 * backward through the same address tables (DESIGN.md sections 3 and 6). The batch is the vector
 * lane axis: rows in chunks of {@code lanes} (the last chunk padded with zero rows), element {@code
 * e} of row {@code k*lanes + l} at float {@code (k*size + e)*lanes + l} of every buffer, so each
 * stage is one {@link Kernels#contractLanes} forward and one {@link
 * BackwardKernels#stageFactorLanes} plus one {@link BackwardKernels#stageInputLanes} backward, the
 * same register-blocked micro-kernel family. Padded lanes hold zeros in every buffer, forward and
 * backward, so they add nothing to a factor gradient.
 *
 * <p>Each of {@code slots} tape slots (one per time step of a clip) keeps the plan's input and
 * every stage's output, which are the next stages' inputs; the backward pass of a slot turns {@code
 * dy} into the input gradient (kept in lanes, read out by {@link #inputGradient}) and adds every
 * stage's factor gradient {@code dF} into a buffer laid out as the packed factors. The factors are
 * passed in (not taken from the plan), so one compiled plan serves weights that change at every
 * optimiser step ({@link FactorPacking} packs them).
 *
 * <p>Costs {@code chunks * lanes * (slots * (inputSize + sum of stage outputs) + 2 * workSize +
 * inputSize)} floats of native memory; nothing is allocated after construction. Not thread-safe:
 * one per thread.
 */
public final class PlanTape {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final CompiledPlan plan;
    private final StageView[] views;
    private final int slots;
    private final int batch;
    private final int lanes;
    private final int chunks;
    private final MemorySegment[] inputs; // [slot], lane layout
    private final MemorySegment[][] outputs; // [slot][stage], lane layout
    private final MemorySegment gradA;
    private final MemorySegment gradB;
    private final MemorySegment dInput; // the input gradient of the last backward, lane layout

    /**
     * A tape for {@code batch} rows in chunks of {@code lanes} (the kernels' {@code lanes()}) over
     * {@code plan}, which must be compiled for batch 1.
     */
    public PlanTape(CompiledPlan plan, int batch, int lanes, int slots, Arena arena) {
        if (slots < 1)
            throw new IllegalArgumentException("a tape needs at least one slot, got " + slots);
        if (plan.batch() != 1)
            throw new IllegalArgumentException(
                    "a lane tape runs a plan compiled for batch 1, got batch " + plan.batch());
        if (batch < 1 || lanes < 1)
            throw new IllegalArgumentException(
                    "a tape of " + batch + " rows in chunks of " + lanes + " lanes");
        this.plan = plan;
        this.slots = slots;
        this.batch = batch;
        this.lanes = lanes;
        this.chunks = (batch + lanes - 1) / lanes;
        int n = plan.stageCount();
        this.views = new StageView[n];
        for (int s = 0; s < n; s++) views[s] = StageView.of(plan.step(s));
        long rows = (long) chunks * lanes;
        this.inputs = new MemorySegment[slots];
        this.outputs = new MemorySegment[slots][n];
        for (int t = 0; t < slots; t++) {
            inputs[t] = Weights.floats(arena, rows * plan.inputSize());
            for (int s = 0; s < n; s++)
                outputs[t][s] = Weights.floats(arena, rows * views[s].outputSize());
        }
        this.gradA = Weights.floats(arena, rows * plan.workSize());
        this.gradB = Weights.floats(arena, rows * plan.workSize());
        this.dInput = Weights.floats(arena, rows * plan.inputSize());
    }

    public CompiledPlan plan() {
        return plan;
    }

    public int slots() {
        return slots;
    }

    public int batch() {
        return batch;
    }

    public int lanes() {
        return lanes;
    }

    public StageView view(int stage) {
        return views[stage];
    }

    /** A zeroed buffer shaped like the plan's packed factors, for the weights or their gradient. */
    public static MemorySegment factorBuffer(CompiledPlan plan, Arena arena) {
        return Weights.floats(
                arena, plan.factors().byteSize() / Float.BYTES - Weights.SLACK_FLOATS);
    }

    /**
     * Packs columns {@code [col, col + n)} of the plan input of {@code slot} for every batch row:
     * {@code input[b][col + e] = src[srcOff + b*srcStride + e]}. Columns never packed stay zero.
     */
    public void enter(
            int slot, MemorySegment src, long srcOff, long srcStride, long col, int n, Kernels k) {
        requireColumns(col, n);
        MemorySegment dst = inputs[slot];
        long size = plan.inputSize();
        for (int ch = 0; ch < chunks; ch++) {
            long d = (ch * size + col) * lanes, s = srcOff + (long) ch * lanes * srcStride;
            int rows = Math.min(lanes, batch - ch * lanes);
            if (rows == lanes && k.lanes() == lanes) {
                k.toLanes(src, s, srcStride, n, dst, d);
            } else { // the padded last chunk (its padded lanes stay zero), or scalar kernels
                for (int l = 0; l < rows; l++)
                    for (int e = 0; e < n; e++)
                        dst.setAtIndex(
                                F,
                                d + (long) e * lanes + l,
                                src.getAtIndex(F, s + l * srcStride + e));
            }
        }
    }

    /**
     * {@code y[yOff + b*resultSize + e] = (W input(slot))[b][e]} with the given packed factors (as
     * a heap array, what {@code Kernels.contractLanes} reads its broadcast operands from); every
     * stage's output stays on the tape.
     */
    public void forward(int slot, float[] factors, MemorySegment y, long yOff, Kernels k) {
        MemorySegment in = inputs[slot];
        for (int s = 0; s < views.length; s++) {
            contract(plan.step(s), factors, in, outputs[slot][s], k);
            in = outputs[slot][s];
        }
        int n = (int) plan.resultSize();
        long size = views[views.length - 1].outputSize();
        boolean direct = plan.lastStageWritesResult();
        for (int b = 0; b < batch; b++) {
            long base = (b / lanes) * size * lanes + b % lanes, row = yOff + (long) b * n;
            for (int e = 0; e < n; e++) {
                long at = direct ? e : plan.resultSourceAt(e);
                y.setAtIndex(F, row + e, in.getAtIndex(F, base + at * lanes));
            }
        }
    }

    /**
     * The one call of the forward stage kernel (keep it the only one: its arguments may change).
     */
    private void contract(
            CompiledPlan.Step step,
            float[] factors,
            MemorySegment in,
            MemorySegment out,
            Kernels k) {
        k.contractLanes(step, factors, in, 0, out, 0, lanes, chunks);
    }

    /**
     * Reverse mode of {@link #forward} for {@code slot}, {@code dy} being {@code
     * [batch][resultSize]} from {@code dyOff}: adds {@code dL/dF} of every stage into {@code
     * dFactors} and, when {@code inputGradient}, keeps {@code dL/d input} for {@link
     * #inputGradient}.
     */
    public void backward(
            int slot,
            MemorySegment factors,
            MemorySegment dy,
            long dyOff,
            boolean inputGradient,
            MemorySegment dFactors,
            BackwardKernels bk) {
        int n = (int) plan.resultSize();
        long size = views[views.length - 1].outputSize();
        boolean direct = plan.lastStageWritesResult();
        MemorySegment dOut = gradA, spare = gradB;
        // padded lanes are never written here and every kernel keeps them zero
        for (int b = 0; b < batch; b++) {
            long base = (b / lanes) * size * lanes + b % lanes, row = dyOff + (long) b * n;
            for (int e = 0; e < n; e++) {
                long at = direct ? e : plan.resultSourceAt(e);
                dOut.setAtIndex(F, base + at * lanes, dy.getAtIndex(F, row + e));
            }
        }
        for (int s = views.length - 1; s >= 0; s--) {
            MemorySegment in = s == 0 ? inputs[slot] : outputs[slot][s - 1];
            bk.stageFactorLanes(views[s], in, 0, dOut, 0, dFactors, lanes, chunks);
            if (s > 0) {
                bk.stageInputLanes(views[s], factors, dOut, 0, spare, 0, lanes, chunks);
                MemorySegment t = dOut;
                dOut = spare;
                spare = t;
            } else if (inputGradient) {
                bk.stageInputLanes(views[s], factors, dOut, 0, dInput, 0, lanes, chunks);
            }
        }
    }

    /**
     * Columns {@code [col, col + n)} of the input gradient of the last {@link #backward} (with
     * {@code inputGradient}): {@code dst[dstOff + b*dstStride + e] = dInput[b][col + e]}.
     */
    public void inputGradient(long col, int n, MemorySegment dst, long dstOff, long dstStride) {
        requireColumns(col, n);
        long size = plan.inputSize();
        for (int b = 0; b < batch; b++) {
            long s = ((b / lanes) * size + col) * lanes + b % lanes, d = dstOff + b * dstStride;
            for (int e = 0; e < n; e++)
                dst.setAtIndex(F, d + e, dInput.getAtIndex(F, s + (long) e * lanes));
        }
    }

    private void requireColumns(long col, int n) {
        if (col < 0 || n < 0 || col + n > plan.inputSize())
            throw new IllegalArgumentException(
                    "columns ["
                            + col
                            + ", "
                            + (col + n)
                            + ") of a plan input of "
                            + plan.inputSize());
    }
}
