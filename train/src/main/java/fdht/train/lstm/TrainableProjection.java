package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.GateProjection;
import fdht.train.plan.BackwardKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The trainable counterpart of a kernels {@link GateProjection}: {@code z = W [x_t ; h_{t-1}]}
 * ({@code 4H} rows, gate order i, f, g, o, bias excluded) with its reverse mode. One implementation
 * per weight format: FDHT (one HT over {@code [x ; h]}), dense, HT on {@code W_x} with dense {@code
 * W_h}, TT over {@code [x ; h]}.
 *
 * <p>The parameters are shared by every thread; each thread runs its own {@link Tape}. Not
 * thread-safe while {@link #refresh} runs (call it between optimiser steps).
 */
public sealed interface TrainableProjection
        permits FdhtTrainable, DenseTrainable, HtInputTrainable, TtTrainable {
    int inputSize();

    int hiddenSize();

    /** The trainable tensors, in the order the model file and the gradients use. */
    List<Parameter> parameters();

    /** After the parameters changed: rebuild what the forward pass reads (packed plan factors). */
    void refresh();

    /** Per-thread buffers for {@code batch} clips of {@code frames} frames. */
    Tape newTape(int batch, int frames, Arena arena);

    /** An inference projection holding a copy of the current weights in {@code arena}. */
    GateProjection export(Arena arena);

    /** A one-line description: format, shapes, parameters. */
    String describe();

    /**
     * The forward pass of every time step of a clip batch, kept for the backward pass. Not
     * thread-safe: one per thread. Allocates nothing per step.
     */
    interface Tape {
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
         * (indexed as {@link #parameters()}) or keeps it for {@link #finish}; writes {@code
         * dL/dhPrev}.
         */
        void backward(
                int t,
                MemorySegment dz,
                MemorySegment hPrev,
                MemorySegment dhPrev,
                MemorySegment[] grads,
                BackwardKernels bk);

        /**
         * After the last {@link #backward} of a batch: flushes kept gradients into {@code grads}
         * and clears them.
         */
        void finish(MemorySegment[] grads);
    }
}
