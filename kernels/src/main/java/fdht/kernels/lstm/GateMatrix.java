package fdht.kernels.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dense gate matrix of one LSTM layer, {@code W = [W_ih W_hh]}: {@code 4H x (N_x + H)}
 * row-major floats in native memory, gate order i, f, g, o (PyTorch's). The one place where the two
 * halves are joined and split again; every copy costs one pass over the matrix.
 *
 * <p>Thread safety: immutable once built (the caller must not write into {@link #weights()}).
 */
public record GateMatrix(MemorySegment weights, int inputSize, int hidden) {
    public GateMatrix {
        if (inputSize < 1 || hidden < 1)
            throw new IllegalArgumentException(
                    "gate matrix of N_x = " + inputSize + ", H = " + hidden);
        if (weights.byteSize() < (long) 4 * hidden * (inputSize + hidden) * Float.BYTES) {
            throw new IllegalArgumentException(
                    "gate matrix holds "
                            + weights.byteSize() / Float.BYTES
                            + " floats, not 4H x (N_x + H) = "
                            + 4L * hidden * (inputSize + hidden));
        }
    }

    /**
     * {@code [W_ih W_hh]} from {@code W_ih} ({@code 4H x N_x}) and {@code W_hh} ({@code 4H x H}),
     * both row-major, copied into {@code arena}.
     */
    public static GateMatrix join(
            MemorySegment wih, MemorySegment whh, int inputSize, int hidden, Arena arena) {
        long fourH = 4L * hidden, cols = (long) inputSize + hidden;
        MemorySegment w = Weights.floats(arena, fourH * cols);
        for (long r = 0; r < fourH; r++) {
            MemorySegment.copy(
                    wih,
                    r * inputSize * Float.BYTES,
                    w,
                    r * cols * Float.BYTES,
                    (long) inputSize * Float.BYTES);
            MemorySegment.copy(
                    whh,
                    r * hidden * Float.BYTES,
                    w,
                    (r * cols + inputSize) * Float.BYTES,
                    (long) hidden * Float.BYTES);
        }
        return new GateMatrix(w, inputSize, hidden);
    }

    /** {@code N_x + H}. */
    public int cols() {
        return inputSize + hidden;
    }

    /** {@code W_ih}, {@code 4H x N_x}, copied into {@code arena}. */
    public MemorySegment inputWeights(Arena arena) {
        return columns(0, inputSize, arena);
    }

    /** {@code W_hh}, {@code 4H x H}, copied into {@code arena}. */
    public MemorySegment hiddenWeights(Arena arena) {
        return columns(inputSize, hidden, arena);
    }

    private MemorySegment columns(int from, int count, Arena arena) {
        long fourH = 4L * hidden;
        MemorySegment out = Weights.floats(arena, fourH * count);
        for (long r = 0; r < fourH; r++)
            MemorySegment.copy(
                    weights,
                    (r * cols() + from) * Float.BYTES,
                    out,
                    r * count * Float.BYTES,
                    (long) count * Float.BYTES);
        return out;
    }
}
