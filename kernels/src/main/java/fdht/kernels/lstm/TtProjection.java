package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.ContractionPlanner;
import fdht.layout.TtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The TT-LSTM projection TIE runs: one TT matrix over {@code [x ; h ; 0]}, contracted in TIE's
 * order (last core first) by the same stage kernels as HT.
 *
 * <p>Thread safety: Immutable and thread-safe; mutable buffers live in each thread's scratch.
 */
public final class TtProjection implements GateProjection {
    private final TtMatrix weights;
    private final int inputSize;
    private final int hidden;

    public TtProjection(TtMatrix weights, int inputSize, int hidden) {
        this.weights = weights;
        this.inputSize = inputSize;
        this.hidden = hidden;
        GateProjection.requireShape(
                "TT matrix",
                weights.format().rows(),
                weights.format().cols(),
                inputSize,
                hidden,
                (long) inputSize + hidden);
    }

    public TtMatrix weights() {
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
        return ContractionPlanner.tieOrder(weights.format(), 1).totalMacs();
    }

    @Override
    public String describe() {
        return "TT-LSTM (TIE order), one " + weights.format();
    }

    @Override
    public Scratch newScratch(int batch, Arena arena) {
        return new PlanScratch(
                rows -> ContractionPlanner.tieOrder(weights.format(), rows),
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
