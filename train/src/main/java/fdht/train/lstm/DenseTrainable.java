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
 * dense backward kernels; only the {@code h} columns' input gradient is formed. The tape keeps
 * every frame's {@code [x; h]} and {@code dz} ({@code T x B x (N_x + H + 4H)} floats, and the
 * kernel's scratch: {@code T x B x 4H} more and 512 KB) and forms the weight gradient once per
 * batch, in {@link Tape#finish}: one pass over {@code dW}, where one per frame was 8x the memory
 * traffic at MFM-40's 8 frames.
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
        int width = inputSize + hidden, gates = 4 * hidden;
        // every frame's [x; h] and dz side by side, the last frame first: the weight gradient is
        // then one pass over dW per batch (not one per frame) whose sums run in the order the
        // per-frame passes ran them (frames backwards, batch rows forwards)
        MemorySegment xh = Weights.floats(arena, (long) frames * batch * width);
        MemorySegment dzs = Weights.floats(arena, (long) frames * batch * gates);
        MemorySegment scratch =
                Weights.floats(arena, BackwardKernels.denseWeightsScratch(gates, frames * batch));
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
                long row0 = (long) (frames - 1 - t) * batch;
                for (int b = 0; b < batch; b++) {
                    MemorySegment.copy(
                            x,
                            (xOff + b * xStride) * Float.BYTES,
                            xh,
                            (row0 + b) * width * Float.BYTES,
                            (long) inputSize * Float.BYTES);
                    MemorySegment.copy(
                            hPrev,
                            (long) b * hidden * Float.BYTES,
                            xh,
                            ((row0 + b) * width + inputSize) * Float.BYTES,
                            (long) hidden * Float.BYTES);
                }
                k.gemm(w.value(), 0, gates, width, xh, row0 * width, z, 0, batch, false);
            }

            @Override
            public void backward(
                    int t,
                    MemorySegment dz,
                    MemorySegment hPrev,
                    MemorySegment dhPrev,
                    MemorySegment[] grads,
                    BackwardKernels bk) {
                long row0 = (long) (frames - 1 - t) * batch;
                MemorySegment.copy(
                        dz, 0, dzs, row0 * gates * Float.BYTES, (long) batch * gates * Float.BYTES);
                bk.denseInput(
                        w.value(), gates, width, inputSize, hidden, dz, 0, dhPrev, 0, hidden,
                        batch);
            }

            @Override
            public void finish(MemorySegment[] grads, BackwardKernels bk) {
                bk.denseWeights(
                        grads[0],
                        gates,
                        width,
                        0,
                        width,
                        dzs,
                        0,
                        xh,
                        0,
                        width,
                        frames * batch,
                        scratch);
            }
        };
    }
}
