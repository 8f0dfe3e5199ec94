package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How an LSTM layer computes its gate pre-activations {@code z = W [x_t ; h_{t-1}]}, {@code 4H}
 * rows per batch row in gate order i, f, g, o (bias excluded). One implementation per weight
 * format: {@link FdhtProjection}, {@link DenseProjection}, {@link HtInputProjection}, {@link
 * TtProjection}. Implementations are immutable and thread-safe; all mutable scratch lives in the
 * {@link Scratch} each thread makes for itself.
 */
public sealed interface GateProjection
        permits FdhtProjection, DenseProjection, HtInputProjection, TtProjection {
    /**
     * Checks that a structured gate matrix of {@code rows x cols} fits {@code 4H} and {@code [x ;
     * h]} ({@code needCols}); {@code what} names it.
     */
    static void requireShape(
            String what, int rows, int cols, int inputSize, int hidden, long needCols) {
        if (rows != 4 * hidden)
            throw new IllegalArgumentException(
                    what + " has " + rows + " rows but 4H = " + 4 * hidden);
        if (inputSize < 1)
            throw new IllegalArgumentException("input size " + inputSize + " must be at least 1");
        if (cols < needCols) {
            throw new IllegalArgumentException(
                    what
                            + " has "
                            + cols
                            + " columns but "
                            + (needCols == inputSize ? "N_x = " : "[x ; h] needs N_x + H = ")
                            + needCols);
        }
    }

    /** Per-thread, per-batch-size scratch buffers. */
    interface Scratch {
        int batch();
    }

    /** N_x, the width of one input frame. */
    int inputSize();

    /** H, the hidden size. */
    int hiddenSize();

    /** Weights stored (floats). */
    long parameterCount();

    /** Multiply-adds per batch row per step. */
    long macsPerStep();

    /** A one-line description for reports. */
    String describe();

    /** Allocates the scratch for {@code batch} rows from {@code arena}. */
    Scratch newScratch(int batch, Arena arena);

    /**
     * {@code z[b*4H ..] = W [x_b ; h_b]} for every batch row; row {@code b} of the input frame is
     * at {@code x[xOff + b*xStride ..]}, of the hidden state at {@code h[b*H ..]}.
     */
    void project(
            MemorySegment x,
            long xOff,
            long xStride,
            MemorySegment h,
            MemorySegment z,
            Scratch scratch,
            Kernels kernels);
}
