package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The half-compressed variant: {@code W_x} as an HT matrix over {@code [x ; 0]}, {@code W_h} dense
 * ({@code 4H x H} row-major, native). {@code z = HT(W_x) x + W_h h}.
 *
 * <p>Thread safety: Immutable and thread-safe; mutable buffers live in each thread's scratch.
 */
public final class HtInputProjection implements GateProjection {
    private final HtMatrix inputWeights;
    private final MemorySegment hiddenWeights;
    private final int inputSize;
    private final int hidden;

    public HtInputProjection(
            HtMatrix inputWeights, MemorySegment hiddenWeights, int inputSize, int hidden) {
        GateProjection.requireShape(
                "HT input matrix",
                inputWeights.format().rows(),
                inputWeights.format().cols(),
                inputSize,
                hidden,
                inputSize);
        if (!hiddenWeights.isNative())
            throw new IllegalArgumentException("W_h must be a native segment");
        long need = 4L * hidden * hidden * Float.BYTES;
        if (hiddenWeights.byteSize() < need)
            throw new IllegalArgumentException(
                    "W_h holds "
                            + hiddenWeights.byteSize()
                            + " bytes but 4H x H floats need "
                            + need);
        this.inputWeights = inputWeights;
        this.hiddenWeights = hiddenWeights;
        this.inputSize = inputSize;
        this.hidden = hidden;
    }

    public HtMatrix inputWeights() {
        return inputWeights;
    }

    /** {@code W_h}, {@code 4H x H} row-major, native. */
    public MemorySegment hiddenWeights() {
        return hiddenWeights;
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
        return inputWeights.format().parameterCount() + 4L * hidden * hidden;
    }

    @Override
    public long macsPerStep() {
        return ContractionPlanner.plan(inputWeights.format(), 1).totalMacs() + 4L * hidden * hidden;
    }

    @Override
    public String describe() {
        return "HT on W_x ("
                + inputWeights.format()
                + ") with dense W_h "
                + 4 * hidden
                + "x"
                + hidden;
    }

    @Override
    public Scratch newScratch(int batch, Arena arena) {
        return new PlanScratch(
                rows -> ContractionPlanner.plan(inputWeights.format(), rows),
                inputWeights,
                inputWeights.format().cols(),
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
        PlanScratch s = (PlanScratch) scratch;
        s.project(x, xOff, xStride, null, inputSize, hidden, z, kernels);
        kernels.gemm(hiddenWeights, 0, 4 * hidden, hidden, h, 0, z, 0, s.batch(), true);
    }
}
