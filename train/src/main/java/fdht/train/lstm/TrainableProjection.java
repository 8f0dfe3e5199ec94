package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.GateProjection;
import fdht.train.plan.BackwardKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The trainable counterpart of a kernels {@link GateProjection}: {@code z = W [x_t ; h_{t-1}]}
 * ({@code 4H} rows, gate order i, f, g, o, bias excluded) in its {@link LayerFormat}, with its
 * reverse mode: {@link PlannedTrainable} for every planned format, {@link DenseTrainable} for
 * dense.
 *
 * <p>The parameters are shared by every thread; each thread runs its own {@link Tape}. Not
 * thread-safe while {@link #refresh} runs (call it between optimiser steps).
 */
public abstract sealed class TrainableProjection permits PlannedTrainable, DenseTrainable {
    private final LayerFormat format;
    private final List<Parameter> parameters;

    TrainableProjection(LayerFormat format, List<Parameter> parameters) {
        this.format = format;
        this.parameters = List.copyOf(parameters);
    }

    /** The layer's format and shapes. */
    public LayerFormat format() {
        return format;
    }

    public final int inputSize() {
        return format.inputSize();
    }

    public final int hiddenSize() {
        return format.hiddenSize();
    }

    /** The trainable tensors, in the order the model file and the gradients use. */
    public final List<Parameter> parameters() {
        return parameters;
    }

    /**
     * After the parameters changed: rebuild what the forward pass reads (packed plan factors;
     * nothing where the forward pass reads the parameters themselves).
     */
    public void refresh() {}

    /** Per-thread buffers for {@code batch} clips of {@code frames} frames. */
    public abstract Tape newTape(int batch, int frames, Arena arena);

    /** An inference projection holding a copy of the current weights in {@code arena}. */
    public abstract GateProjection export(Arena arena);

    /** A one-line description: format and shapes. */
    public String describe() {
        return format.describe();
    }

    /**
     * The forward pass of every time step of a clip batch, kept for the backward pass. Not
     * thread-safe: one per thread. Allocates nothing per step.
     */
    public interface Tape {
        /**
         * {@code z[b][4H] = W [x_b ; hPrev_b]} for step {@code t}; frame row {@code b} at {@code
         * x[xOff + b*xStride ..]}.
         */
        void forward(
                int t,
                MemorySegment x,
                long xOff,
                long xStride,
                MemorySegment hPrev,
                MemorySegment z,
                Kernels k);

        /**
         * Reverse mode of step {@code t}: adds the weight gradient of {@code dz} into {@code grads}
         * (indexed as {@link #parameters()}) or keeps what it needs to add it in {@link #finish};
         * writes {@code dL/dhPrev}.
         */
        void backward(
                int t,
                MemorySegment dz,
                MemorySegment hPrev,
                MemorySegment dhPrev,
                MemorySegment[] grads,
                BackwardKernels bk);

        /**
         * After the last {@link #backward} of a batch: adds the gradients kept for the whole batch
         * into {@code grads} and clears them.
         */
        void finish(MemorySegment[] grads, BackwardKernels bk);
    }
}
