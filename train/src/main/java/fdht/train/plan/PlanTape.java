package fdht.train.plan;

import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compiled plan run forward with a tape, and backward through the same address tables (DESIGN.md
 * section 6). Each of {@code slots} tape slots (one per time step of a clip) keeps the plan's input
 * and every stage's output, which are the next stages' inputs; the backward pass of a slot turns
 * {@code dy} into {@code dx} and adds every stage's factor gradient {@code dF} into a buffer laid
 * out as the packed factors.
 *
 * <p>The factors are passed in (not taken from the plan), so one compiled plan serves weights that
 * change at every optimiser step ({@link FactorPacking} packs them). Costs {@code slots *
 * (inputSize + sum of stage outputs)} floats of native memory plus two backward buffers; {@link
 * #forward} and {@link #backward} allocate nothing. Not thread-safe: one per thread.
 */
public final class PlanTape {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final CompiledPlan plan;
    private final StageView[] views;
    private final int slots;
    private final MemorySegment[] inputs; // [slot]
    private final MemorySegment[][] outputs; // [slot][stage]
    private final MemorySegment gradA;
    private final MemorySegment gradB;

    public PlanTape(CompiledPlan plan, int slots, Arena arena) {
        if (slots < 1)
            throw new IllegalArgumentException("a tape needs at least one slot, got " + slots);
        this.plan = plan;
        this.slots = slots;
        int n = plan.stageCount();
        this.views = new StageView[n];
        for (int s = 0; s < n; s++) views[s] = StageView.of(plan.step(s));
        this.inputs = new MemorySegment[slots];
        this.outputs = new MemorySegment[slots][n];
        for (int t = 0; t < slots; t++) {
            inputs[t] = Weights.floats(arena, plan.inputSize());
            for (int s = 0; s < n; s++)
                outputs[t][s] = Weights.floats(arena, views[s].outputSize());
        }
        this.gradA = Weights.floats(arena, plan.workSize());
        this.gradB = Weights.floats(arena, plan.workSize());
    }

    public CompiledPlan plan() {
        return plan;
    }

    public int slots() {
        return slots;
    }

    public StageView view(int stage) {
        return views[stage];
    }

    /**
     * The plan input of {@code slot}, {@code [batch][prod n_k]}: the caller packs {@code x} here
     * before {@link #forward}.
     */
    public MemorySegment input(int slot) {
        return inputs[slot];
    }

    /** A zeroed buffer shaped like the plan's packed factors, for the weights or their gradient. */
    public static MemorySegment factorBuffer(CompiledPlan plan, Arena arena) {
        return Weights.floats(
                arena, plan.factors().byteSize() / Float.BYTES - Weights.SLACK_FLOATS);
    }

    /**
     * {@code y[yOff..] = W input(slot)} with the given packed factors; every stage's output stays
     * on the tape.
     */
    public void forward(int slot, MemorySegment factors, MemorySegment y, long yOff, Kernels k) {
        MemorySegment in = inputs[slot];
        for (int s = 0; s < views.length; s++) {
            k.contract(plan.step(s), factors, in, 0, outputs[slot][s], 0);
            in = outputs[slot][s];
        }
        int n = (int) plan.resultSize();
        if (plan.lastStageWritesResult()) {
            MemorySegment.copy(in, 0, y, yOff * Float.BYTES, (long) n * Float.BYTES);
        } else {
            for (int e = 0; e < n; e++)
                y.setAtIndex(F, yOff + e, in.getAtIndex(F, plan.resultSourceAt(e)));
        }
    }

    /**
     * Reverse mode of {@link #forward} for {@code slot}: adds {@code dL/dF} of every stage into
     * {@code dFactors} and, when {@code dx} is not null, writes {@code dL/d input} there ({@code
     * [batch][prod n_k]} from {@code dxOff}).
     */
    public void backward(
            int slot,
            MemorySegment factors,
            MemorySegment dy,
            long dyOff,
            MemorySegment dx,
            long dxOff,
            MemorySegment dFactors,
            BackwardKernels bk) {
        int n = (int) plan.resultSize();
        MemorySegment dOut = gradA, spare = gradB;
        if (plan.lastStageWritesResult()) {
            MemorySegment.copy(dy, dyOff * Float.BYTES, dOut, 0, (long) n * Float.BYTES);
        } else {
            for (int e = 0; e < n; e++)
                dOut.setAtIndex(F, plan.resultSourceAt(e), dy.getAtIndex(F, dyOff + e));
        }
        for (int s = views.length - 1; s >= 0; s--) {
            MemorySegment in = s == 0 ? inputs[slot] : outputs[slot][s - 1];
            bk.stageFactor(views[s], in, 0, dOut, 0, dFactors);
            if (s > 0) {
                bk.stageInput(views[s], factors, dOut, 0, spare, 0);
                MemorySegment t = dOut;
                dOut = spare;
                spare = t;
            } else if (dx != null) {
                bk.stageInput(views[s], factors, dOut, 0, dx, dxOff);
            }
        }
    }
}
