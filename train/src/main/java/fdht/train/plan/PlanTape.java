package fdht.train.plan;

import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.PlanWalker;
import fdht.layout.StageAdjoint;
import fdht.layout.StageOperation;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compiled batch-1 plan walked forward with a tape over a batch held in the lane layout, and
 * backward through the same address tables (DESIGN.md sections 3 and 6): {@link PlanWalker} decides
 * the stage order and the buffers both ways, as it does for inference, and the tape is the walk
 * that keeps every stage's input. The batch is the vector lane axis: rows in chunks of {@code
 * lanes} (the last chunk padded with zero rows), element {@code e} of row {@code k*lanes + l} at
 * float {@code (k*size + e)*lanes + l} of every buffer, so each stage is one {@link
 * Kernels#contractLanes} forward and one {@link BackwardKernels#stageFactorLanes} plus one {@link
 * BackwardKernels#stageInputLanes} backward, the same register-blocked micro-kernel family. Padded
 * lanes hold zeros in every buffer, forward and backward, so they add nothing to a factor gradient.
 *
 * <p>Each of {@code slots} tape slots (one per time step of a clip) keeps the plan's input and
 * every stage's output, which are the next stages' inputs: forward, the walker's buffers are read
 * as "the tape of the stage before" and written as "the tape of this stage". Backward, its four
 * buffers are gradients: {@link PlanBuffer#PING} and {@link PlanBuffer#PONG} two work buffers,
 * {@link PlanBuffer#INPUT} the input gradient (kept in lanes, read out by {@link #inputGradient}),
 * {@link PlanBuffer#RESULT} the work buffer the last stage's parity gives it. Every stage's factor
 * gradient {@code dF} is added into a buffer laid out as the packed factors. The factors are passed
 * in (not taken from the plan), so one compiled plan serves weights that change at every optimiser
 * step ({@link FactorPacking} packs them). The result leaves and its gradient enters in row-major
 * order through {@link CompiledPlan#resultSourceAt} directly (the lane layout changes there
 * anyway), so the walker's gather and scatter have nothing left to do.
 *
 * <p>Costs {@code chunks * lanes * (slots * (inputSize + sum of stage outputs) + 2 * workSize +
 * inputSize)} floats of native memory; nothing is allocated after construction. Not thread-safe:
 * one per thread.
 */
public final class PlanTape {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final CompiledPlan plan;
    private final int slots;
    private final int batch;
    private final int lanes;
    private final int chunks;
    private final MemorySegment[] inputs; // [slot], lane layout
    private final MemorySegment[][] outputs; // [slot][stage], lane layout
    // indexed by PlanBuffer.ordinal(): the gradients the backward walk moves between
    private final MemorySegment[] gradient = new MemorySegment[PlanBuffer.values().length];
    private final Forward forward = new Forward();
    private final Backward backward = new Backward();

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
        int n = plan.stageCount();
        for (int s = 0; s < n; s++) requirePermutation(plan.step(s));
        this.plan = plan;
        this.slots = slots;
        this.batch = batch;
        this.lanes = lanes;
        this.chunks = (batch + lanes - 1) / lanes;
        long rows = (long) chunks * lanes;
        this.inputs = new MemorySegment[slots];
        this.outputs = new MemorySegment[slots][n];
        for (int t = 0; t < slots; t++) {
            inputs[t] = Weights.floats(arena, rows * plan.inputSize());
            for (int s = 0; s < n; s++)
                outputs[t][s] = Weights.floats(arena, rows * outputSize(plan.step(s)));
        }
        MemorySegment ping = Weights.floats(arena, rows * plan.workSize()),
                pong = Weights.floats(arena, rows * plan.workSize());
        gradient[PlanBuffer.INPUT.ordinal()] = Weights.floats(arena, rows * plan.inputSize());
        gradient[PlanBuffer.PING.ordinal()] = ping;
        gradient[PlanBuffer.PONG.ordinal()] = pong;
        // the walker names RESULT only as the last stage's output, when it writes the result
        // directly: the work buffer of that stage's parity, never the one stage last-1 writes
        gradient[PlanBuffer.RESULT.ordinal()] = ((n - 1) & 1) == 0 ? ping : pong;
    }

    /**
     * The backward kernels write the input gradient of a stage, not add to it: its view must visit
     * every input element once.
     */
    private static void requirePermutation(CompiledPlan.Step step) {
        if ((long) step.p() * step.c() != step.inputSize())
            throw new IllegalArgumentException(
                    "stage "
                            + (step.stage().index() + 1)
                            + " views "
                            + (long) step.p() * step.c()
                            + " elements of an input of "
                            + step.inputSize()
                            + ": not a permutation");
    }

    private static long outputSize(CompiledPlan.Step step) {
        return (long) step.p() * step.q();
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
        forward.slot = slot;
        forward.factors = factors;
        forward.kernels = k;
        PlanWalker.forward(plan, forward);
        MemorySegment last = outputs[slot][plan.stageCount() - 1];
        int n = (int) plan.resultSize();
        long size = outputSize(plan.step(plan.stageCount() - 1));
        boolean direct = plan.lastStageWritesResult();
        for (int b = 0; b < batch; b++) {
            long base = (b / lanes) * size * lanes + b % lanes, row = yOff + (long) b * n;
            for (int e = 0; e < n; e++) {
                long at = direct ? e : plan.resultSourceAt(e);
                y.setAtIndex(F, row + e, last.getAtIndex(F, base + at * lanes));
            }
        }
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
        int last = plan.stageCount() - 1;
        MemorySegment dOut = gradient[PlanWalker.output(plan, last).ordinal()];
        int n = (int) plan.resultSize();
        long size = outputSize(plan.step(last));
        boolean direct = plan.lastStageWritesResult();
        // padded lanes are never written here and every kernel keeps them zero
        for (int b = 0; b < batch; b++) {
            long base = (b / lanes) * size * lanes + b % lanes, row = dyOff + (long) b * n;
            for (int e = 0; e < n; e++) {
                long at = direct ? e : plan.resultSourceAt(e);
                dOut.setAtIndex(F, base + at * lanes, dy.getAtIndex(F, row + e));
            }
        }
        backward.slot = slot;
        backward.factors = factors;
        backward.inputGradient = inputGradient;
        backward.dFactors = dFactors;
        backward.kernels = bk;
        PlanWalker.backward(plan, backward);
    }

    /**
     * Columns {@code [col, col + n)} of the input gradient of the last {@link #backward} (with
     * {@code inputGradient}): {@code dst[dstOff + b*dstStride + e] = dInput[b][col + e]}.
     */
    public void inputGradient(long col, int n, MemorySegment dst, long dstOff, long dstStride) {
        requireColumns(col, n);
        MemorySegment dInput = gradient[PlanBuffer.INPUT.ordinal()];
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

    /**
     * The tape of stage {@code s}'s input in {@code slot}: the plan input or stage s-1's output.
     */
    private MemorySegment stageInput(int slot, int s) {
        return s == 0 ? inputs[slot] : outputs[slot][s - 1];
    }

    /** The forward walk of one slot: each stage reads its input's tape and writes its own. */
    private final class Forward implements StageOperation {
        int slot;
        float[] factors;
        Kernels kernels;

        @Override
        public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
            int s = step.stage().index();
            kernels.contractLanes(
                    step, factors, stageInput(slot, s), 0, outputs[slot][s], 0, lanes, chunks);
        }

        /** Nothing: {@link #forward} reads the last stage's output in place. */
        @Override
        public void gather(PlanBuffer from) {}
    }

    /** The backward walk of one slot: each stage's adjoint reads its forward input off the tape. */
    private final class Backward implements StageAdjoint {
        int slot;
        MemorySegment factors;
        boolean inputGradient;
        MemorySegment dFactors;
        BackwardKernels kernels;

        /** Nothing: {@link #backward} wrote the result's gradient where the last adjoint reads. */
        @Override
        public void scatter(PlanBuffer to) {}

        @Override
        public void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to) {
            MemorySegment dOut = gradient[from.ordinal()];
            kernels.stageFactorLanes(
                    step,
                    stageInput(slot, step.stage().index()),
                    0,
                    dOut,
                    0,
                    dFactors,
                    lanes,
                    chunks);
            if (to != PlanBuffer.INPUT || inputGradient)
                kernels.stageInputLanes(
                        step, factors, dOut, 0, gradient[to.ordinal()], 0, lanes, chunks);
        }
    }
}
