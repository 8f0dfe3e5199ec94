package fdht.kernels.lstm;

import fdht.kernels.KernelOptions;
import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.layout.PlanFactors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The projection of every planned {@link LayerFormat}: a structured matrix (HT or TT) contracted by
 * the format's plan over {@code [x ; h ; 0]} (FDHT, TT: "integrate, then decompose"), or over
 * {@code [x ; 0]} with a dense {@code W_h} ({@code 4H x H} row-major, native) added by one GEMM (HT
 * on {@code W_x}). Each step packs the frame (and the hidden state) into the plan's input and runs
 * it, in the lane layout where the kernels have one (see {@link PlanScratch}).
 *
 * <p>Thread safety: Immutable and thread-safe; mutable buffers live in each thread's scratch.
 */
public final class PlannedProjection implements GateProjection {
    private final LayerFormat.Planned format;
    private final PlanFactors weights;
    private final MemorySegment hiddenWeights; // null when the plan covers h
    private final int inputSize;
    private final int hidden;

    /**
     * {@code weights} of {@code format}'s matrix; {@code hiddenWeights} the dense {@code W_h}
     * ({@code 4H x H} row-major, native) when the format's matrix covers {@code x} alone, else
     * null.
     */
    public PlannedProjection(
            LayerFormat.Planned format, PlanFactors weights, MemorySegment hiddenWeights) {
        if (!weights.format().equals(format.matrix()))
            throw new IllegalArgumentException(
                    "the weights are "
                            + weights.format()
                            + " but the "
                            + format.key()
                            + " layer holds "
                            + format.matrix());
        this.inputSize = format.inputSize();
        this.hidden = format.hiddenSize();
        if (format.coversHidden()) {
            if (hiddenWeights != null)
                throw new IllegalArgumentException(
                        "a " + format.key() + " layer's matrix covers h: it has no dense W_h");
        } else {
            if (hiddenWeights == null || !hiddenWeights.isNative())
                throw new IllegalArgumentException(
                        "a " + format.key() + " layer needs W_h as a native segment");
            long need = 4L * hidden * hidden * Float.BYTES;
            if (hiddenWeights.byteSize() < need)
                throw new IllegalArgumentException(
                        "W_h holds "
                                + hiddenWeights.byteSize()
                                + " bytes but 4H x H floats need "
                                + need);
        }
        this.format = format;
        this.weights = weights;
        this.hiddenWeights = hiddenWeights;
    }

    @Override
    public LayerFormat.Planned format() {
        return format;
    }

    /** The structured matrix's weights ({@code HtMatrix} or {@code TtMatrix}). */
    public PlanFactors weights() {
        return weights;
    }

    /** {@code W_h}, {@code 4H x H} row-major, native, when the matrix covers {@code x} alone. */
    public Optional<MemorySegment> hiddenWeights() {
        return Optional.ofNullable(hiddenWeights);
    }

    @Override
    public Scratch newScratch(int batch, Kernels kernels, KernelOptions options, Arena arena) {
        return new PlanScratch(this, batch, kernels, options, arena);
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
        s.project(
                x, xOff, xStride, hiddenWeights == null ? h : null, inputSize, hidden, z, kernels);
        if (hiddenWeights != null)
            kernels.gemm(hiddenWeights, 0, 4 * hidden, hidden, h, 0, z, 0, s.batch(), true);
    }
}
