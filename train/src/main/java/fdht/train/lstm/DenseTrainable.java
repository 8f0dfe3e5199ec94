package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.DenseProjection;
import fdht.kernels.lstm.GateProjection;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Trainable dense projection: {@code W = [W_ih W_hh]} as one {@code 4H x (N_x + H)} matrix
 * (parameter {@code lstm.weight}), forward through the inference GEMM kernel, backward through the
 * dense backward kernels; only the {@code h} columns' input gradient is formed.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class DenseTrainable implements TrainableProjection {
    private final int inputSize;
    private final int hidden;
    private final Parameter w;

    public DenseTrainable(int inputSize, int hidden, float[] values, Arena arena) {
        if (inputSize < 1 || hidden < 1)
            throw new IllegalArgumentException(
                    "dense LSTM of N_x = " + inputSize + ", H = " + hidden);
        this.inputSize = inputSize;
        this.hidden = hidden;
        this.w =
                Parameter.zeros(
                        "lstm.weight", new long[] {4L * hidden, (long) inputSize + hidden}, arena);
        w.set(values);
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
    public List<Parameter> parameters() {
        return List.of(w);
    }

    @Override
    public void refresh() {}

    @Override
    public String describe() {
        return "dense, W " + 4 * hidden + "x" + (inputSize + hidden);
    }

    @Override
    public GateProjection export(Arena arena) {
        return new DenseProjection(Weights.copyOf(arena, w.toArray()), inputSize, hidden);
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        int width = inputSize + hidden;
        MemorySegment[] xh = new MemorySegment[frames];
        for (int t = 0; t < frames; t++) xh[t] = Weights.floats(arena, (long) batch * width);
        return new Tape() {
            @Override
            public void forward(
                    int t,
                    MemorySegment x,
                    long xOff,
                    long xStride,
                    MemorySegment hPrev,
                    MemorySegment z,
                    Kernels k) {
                for (int b = 0; b < batch; b++) {
                    MemorySegment.copy(
                            x,
                            (xOff + b * xStride) * Float.BYTES,
                            xh[t],
                            (long) b * width * Float.BYTES,
                            (long) inputSize * Float.BYTES);
                    MemorySegment.copy(
                            hPrev,
                            (long) b * hidden * Float.BYTES,
                            xh[t],
                            ((long) b * width + inputSize) * Float.BYTES,
                            (long) hidden * Float.BYTES);
                }
                k.gemm(w.value(), 0, 4 * hidden, width, xh[t], 0, z, 0, batch, false);
            }

            @Override
            public void backward(
                    int t,
                    MemorySegment dz,
                    MemorySegment hPrev,
                    MemorySegment dhPrev,
                    MemorySegment[] grads,
                    BackwardKernels bk) {
                bk.denseWeights(
                        grads[0], 4 * hidden, width, 0, width, dz, 0, xh[t], 0, width, batch);
                bk.denseInput(
                        w.value(),
                        4 * hidden,
                        width,
                        inputSize,
                        hidden,
                        dz,
                        0,
                        dhPrev,
                        0,
                        hidden,
                        batch);
            }

            @Override
            public void finish(MemorySegment[] grads) {}
        };
    }
}
