package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.GateProjection;
import fdht.kernels.lstm.HtInputProjection;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.HtPacking;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Trainable HT-on-{@code W_x} projection: an HT matrix {@code 4H x prod n_k >= N_x} over {@code [x
 * ; 0]} plus a dense {@code W_h} ({@code 4H x H}, parameter {@code lstm.weight_hh}). The HT half
 * needs no input gradient (frames are data), so its backward stops at the factors.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class HtInputTrainable implements TrainableProjection {
    private final HtFormat format;
    private final int inputSize;
    private final int hidden;
    private final List<Parameter> parameters = new ArrayList<>();
    private final Parameter wh;
    private final StructuredWeights weights;

    public HtInputTrainable(
            HtFormat format, int inputSize, float[][] nodeValues, float[] whValues, Arena arena) {
        int h = format.rows() / 4;
        GateProjection.requireShape(
                "HT input matrix", format.rows(), format.cols(), inputSize, h, inputSize);
        this.format = format;
        this.inputSize = inputSize;
        this.hidden = h;
        HtPacking packing = new HtPacking(format);
        List<Parameter> nodes =
                StructuredWeights.nodeParameters(packing, "ht.node.", nodeValues, arena);
        parameters.addAll(nodes);
        this.wh = Parameter.zeros("lstm.weight_hh", new long[] {4L * h, h}, arena);
        wh.set(whValues);
        parameters.add(wh);
        this.weights =
                new StructuredWeights(
                        packing,
                        nodes,
                        0,
                        b -> ContractionPlanner.plan(format, b),
                        HtMatrix.of(format, nodeValues, arena),
                        arena);
    }

    public HtFormat format() {
        return format;
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
        return List.copyOf(parameters);
    }

    @Override
    public void refresh() {
        weights.refresh();
    }

    @Override
    public String describe() {
        return "HT on W_x, " + format + ", + dense W_h " + 4 * hidden + "x" + hidden;
    }

    @Override
    public GateProjection export(Arena arena) {
        float[][] v = StructuredWeights.nodeArrays(parameters.subList(0, parameters.size() - 1));
        return new HtInputProjection(
                HtMatrix.of(format, v, arena),
                Weights.copyOf(arena, wh.toArray()),
                inputSize,
                hidden);
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        StructuredWeights.Tape tape = weights.tape(batch, frames, arena);
        int whIndex = parameters.size() - 1;
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
                tape.tape.enter(t, x, xOff, xStride, 0, inputSize, k);
                tape.forward(t, z, k);
                k.gemm(wh.value(), 0, 4 * hidden, hidden, hPrev, 0, z, 0, batch, true);
            }

            @Override
            public void backward(
                    int t,
                    MemorySegment dz,
                    MemorySegment hPrev,
                    MemorySegment dhPrev,
                    MemorySegment[] grads,
                    BackwardKernels bk) {
                tape.backward(t, dz, false, bk);
                bk.denseWeights(
                        grads[whIndex],
                        4 * hidden,
                        hidden,
                        0,
                        hidden,
                        dz,
                        0,
                        hPrev,
                        0,
                        hidden,
                        batch);
                bk.denseInput(
                        wh.value(), 4 * hidden, hidden, 0, hidden, dz, 0, dhPrev, 0, hidden, batch);
            }

            @Override
            public void finish(MemorySegment[] grads) {
                tape.finish(grads);
            }
        };
    }
}
