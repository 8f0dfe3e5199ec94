package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dense LSTM projection: {@code W = [W_ih W_hh]} as one row-major {@code 4H x (N_x + H)} matrix
 * in native memory (PyTorch's two matrices side by side). Bound by reading W once per step.
 *
 * <p>Thread safety: Immutable and thread-safe; mutable buffers live in each thread's scratch.
 */
public final class DenseProjection implements GateProjection {
    private final MemorySegment weights;
    private final int inputSize;
    private final int hidden;

    /** {@code weights}: {@code 4H x (N_x + H)} row-major floats, native. */
    public DenseProjection(MemorySegment weights, int inputSize, int hidden) {
        if (!weights.isNative())
            throw new IllegalArgumentException("dense weights must be a native segment");
        long need = 4L * hidden * (inputSize + hidden) * Float.BYTES;
        if (weights.byteSize() < need) {
            throw new IllegalArgumentException(
                    "dense weights hold "
                            + weights.byteSize()
                            + " bytes but 4H x (N_x + H) floats need "
                            + need);
        }
        this.weights = weights;
        this.inputSize = inputSize;
        this.hidden = hidden;
    }

    public MemorySegment weights() {
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
        return 4L * hidden * (inputSize + hidden);
    }

    @Override
    public long macsPerStep() {
        return parameterCount();
    }

    @Override
    public String describe() {
        return "dense LSTM, W " + 4 * hidden + "x" + (inputSize + hidden);
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
    public Scratch newScratch(int batch, Arena arena) {
        return new DenseScratch(batch, inputSize + hidden, arena);
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
        s.input.fill(x, xOff, xStride, 0, inputSize);
        s.input.fill(h, 0, hidden, inputSize, hidden);
        kernels.gemm(
                weights,
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
