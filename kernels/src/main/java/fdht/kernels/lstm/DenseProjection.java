package fdht.kernels.lstm;

import fdht.kernels.KernelOptions;
import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dense LSTM projection: {@code W = [W_ih W_hh]} as one row-major {@code 4H x (N_x + H)} matrix
 * in native memory (PyTorch's two matrices side by side). Bound by reading W once per step.
 *
 * <p>Thread safety: Immutable and thread-safe; mutable buffers live in each thread's scratch.
 */
public final class DenseProjection implements GateProjection {
    private final GateMatrix weights;
    private final LayerFormat.Dense format;

    /** {@code weights} in native memory. */
    public DenseProjection(GateMatrix weights) {
        if (!weights.weights().isNative())
            throw new IllegalArgumentException("dense weights must be a native segment");
        this.weights = weights;
        this.format = new LayerFormat.Dense(weights.inputSize(), weights.hidden());
    }

    @Override
    public LayerFormat.Dense format() {
        return format;
    }

    public GateMatrix weights() {
        return weights;
    }

    static final class DenseScratch implements Scratch {
        final PackedInput input;

        DenseScratch(int batch, int width, Arena arena) {
            input = new PackedInput(arena, batch, width);
        }

        @Override
        public int batch() {
            return input.batch;
        }
    }

    @Override
    public Scratch newScratch(int batch, Kernels kernels, KernelOptions options, Arena arena) {
        return new DenseScratch(batch, weights.cols(), arena);
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
        DenseScratch s = (DenseScratch) scratch;
        int inputSize = weights.inputSize(), hidden = weights.hidden();
        s.input.fill(x, xOff, xStride, 0, inputSize);
        s.input.fill(h, 0, hidden, inputSize, hidden);
        kernels.gemm(
                weights.weights(),
                0,
                4 * hidden,
                inputSize + hidden,
                s.input.buffer,
                0,
                z,
                0,
                s.input.batch,
                false);
    }
}
