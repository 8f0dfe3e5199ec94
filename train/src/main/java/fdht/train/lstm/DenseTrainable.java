package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.DenseProjection;
import fdht.kernels.lstm.GateMatrix;
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
public final class DenseTrainable extends TrainableProjection {
    private final int inputSize;
    private final int hidden;
    private final Parameter w;

    /** Starts from {@code values}, {@code 4H x (N_x + H)} row-major. */
    public DenseTrainable(LayerFormat.Dense format, float[] values, Arena arena) {
        Parameter w =
                Parameter.zeros(
                        "lstm.weight",
                        new long[] {
                            4L * format.hiddenSize(),
                            (long) format.inputSize() + format.hiddenSize()
                        },
                        arena);
        w.set(values);
        super(format, List.of(w));
        this.inputSize = format.inputSize();
        this.hidden = format.hiddenSize();
        this.w = w;
    }

    @Override
    public GateProjection export(Arena arena) {
        return new DenseProjection(
                new GateMatrix(Weights.copyOf(arena, w.toArray()), inputSize, hidden));
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
