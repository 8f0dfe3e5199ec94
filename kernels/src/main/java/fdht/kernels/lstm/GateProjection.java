package fdht.kernels.lstm;

import fdht.kernels.ExecutionPath;
import fdht.kernels.KernelOptions;
import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How an LSTM layer computes its gate pre-activations {@code z = W [x_t ; h_{t-1}]}, {@code 4H}
 * rows per batch row in gate order i, f, g, o (bias excluded), in its {@link LayerFormat}: {@link
 * PlannedProjection} for every planned format, {@link DenseProjection} for dense. Implementations
 * are immutable and thread-safe; all mutable scratch lives in the {@link Scratch} each thread makes
 * for itself.
 */
public sealed interface GateProjection permits PlannedProjection, DenseProjection {
    /** Per-thread, per-batch-size scratch buffers, made for one {@link Kernels}. */
    interface Scratch {
        int batch();

        /** How its rows run, chosen when it was made; dense projections run row-major. */
        default ExecutionPath path() {
            return ExecutionPath.ROW_MAJOR;
        }

        /** How single rows run (those below a whole chunk on {@link ExecutionPath#BATCH_LANES}). */
        default ExecutionPath rowPath() {
            return path();
        }
    }

    /** The layer's format and shapes. */
    LayerFormat format();

    /** N_x, the width of one input frame. */
    default int inputSize() {
        return format().inputSize();
    }

    /** H, the hidden size. */
    default int hiddenSize() {
        return format().hiddenSize();
    }

    /** Weights stored (floats). */
    default long parameterCount() {
        return format().parameterCount();
    }

    /** Multiply-adds per batch row per step. */
    default long macsPerStep() {
        return format().macsPerStep();
    }

    /** A one-line description for reports. */
    default String describe() {
        return format().describe();
    }

    /**
     * Allocates the scratch for {@code batch} rows run by {@code kernels} from {@code arena}, its
     * {@link ExecutionPath} chosen once from the kernels and {@code options}; {@link #project}
     * refuses other kernels.
     */
    Scratch newScratch(int batch, Kernels kernels, KernelOptions options, Arena arena);

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
