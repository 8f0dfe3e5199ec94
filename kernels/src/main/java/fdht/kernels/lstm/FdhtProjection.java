package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * FDHT-LSTM's projection: all eight weight matrices as one HT matrix of shape {@code 4H x prod n_k}
 * applied to {@code [x ; h ; 0]} ("integrate, then decompose"). Each step copies the frame and the
 * hidden state into a packed input row and runs the cheapest contraction plan, one batch row at a
 * time (see {@link PlanScratch}).
 */
public final class FdhtProjection implements GateProjection {
    private final HtMatrix weights;
    private final int inputSize;
    private final int hidden;

    public FdhtProjection(HtMatrix weights, int inputSize, int hidden) {
        this.weights = weights;
        this.inputSize = inputSize;
        this.hidden = hidden;
        GateProjection.requireShape(
                "FDHT matrix",
                weights.format().rows(),
                weights.format().cols(),
                inputSize,
                hidden,
                (long) inputSize + hidden);
    }

    public HtMatrix weights() {
        return weights;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public long parameterCount() {
        return weights.format().parameterCount();
    }

    @Override
    public long macsPerStep() {
        return ContractionPlanner.plan(weights.format(), 1).totalMacs();
    }

    @Override
    public String describe() {
        return "FDHT-LSTM, one " + weights.format();
    }

    /** The plan the scratch for {@code batch} rows runs. */
    public ContractionPlan plan(int batch) {
        return ContractionPlanner.plan(weights.format(), batch);
    }

    @Override
    public Scratch newScratch(int batch, Arena arena) {
        return new PlanScratch(
                rows -> ContractionPlanner.plan(weights.format(), rows),
                weights,
                weights.format().cols(),
                batch,
                arena);
    }

    @Override
    public void project(
            MemorySegment x,
            long xOff,
            long xStride,
            MemorySegment h,
            MemorySegment z,
            Scratch scratch,
            Kernels kernels) {
        ((PlanScratch) scratch).project(x, xOff, xStride, h, inputSize, hidden, z, kernels);
    }
}
