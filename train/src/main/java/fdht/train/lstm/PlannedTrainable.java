package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.GateProjection;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.PlannedProjection;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.FactorPacking;
import fdht.train.plan.HtPacking;
import fdht.train.plan.TtPacking;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable projection of every planned {@link LayerFormat}, the twin of the kernels' {@link
 * PlannedProjection}: the structured matrix's node tensors as parameters (named as the model file
 * names them, {@code ht.node.<t>} or {@code tt.core.<t>}), contracted by the format's plan for the
 * whole batch and backward through the same plan; when the matrix covers {@code x} alone, a dense
 * {@code W_h} ({@code 4H x H}, parameter {@code lstm.weight_hh}, last) added by one GEMM, and the
 * plan then needs no input gradient (frames are data), so its backward stops at the factors.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class PlannedTrainable extends TrainableProjection {
    private final LayerFormat.Planned format;
    private final int inputSize;
    private final int hidden;
    private final List<Parameter> nodes;
    private final Parameter wh; // null when the matrix covers h
    private final StructuredWeights weights;

    /**
     * Starts from the given node tensors (layout of {@code PlanFactors.of}) and, when {@code
     * format}'s matrix covers {@code x} alone, {@code W_h} ({@code 4H x H} row-major; else null).
     */
    public PlannedTrainable(
            LayerFormat.Planned format, float[][] nodeValues, float[] whValues, Arena arena) {
        if (format.coversHidden() != (whValues == null))
            throw new IllegalArgumentException(
                    "a "
                            + format.key()
                            + " layer "
                            + (format.coversHidden() ? "has no" : "needs a")
                            + " dense W_h");
        MatrixFormat matrix = format.matrix();
        FactorPacking packing =
                switch (matrix) {
                    case HtFormat f -> new HtPacking(f);
                    case TtFormat f -> new TtPacking(f);
                };
        List<Parameter> nodes =
                StructuredWeights.nodeParameters(
                        packing, LstmModelFile.nodePrefix(matrix), nodeValues, arena);
        List<Parameter> all = new ArrayList<>(nodes);
        Parameter wh = null;
        if (whValues != null) {
            int h = format.hiddenSize();
            wh = Parameter.zeros(LstmModelFile.HIDDEN_WEIGHTS, new long[] {4L * h, h}, arena);
            wh.set(whValues);
            all.add(wh);
        }
        super(format, all);
        this.format = format;
        this.inputSize = format.inputSize();
        this.hidden = format.hiddenSize();
        this.nodes = nodes;
        this.wh = wh;
        this.weights =
                new StructuredWeights(
                        packing,
                        nodes,
                        0,
                        format::plan,
                        PlanFactors.of(matrix, nodeValues, arena),
                        arena);
    }

    @Override
    public void refresh() {
        weights.refresh();
    }

    @Override
    public GateProjection export(Arena arena) {
        return new PlannedProjection(
                format,
                PlanFactors.of(format.matrix(), StructuredWeights.nodeArrays(nodes), arena),
                wh == null ? null : Weights.copyOf(arena, wh.toArray()));
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        StructuredWeights.Tape tape = weights.tape(batch, frames, arena);
        int whIndex = parameters().size() - 1;
        MemorySegment whScratch =
                wh == null
                        ? null
                        : Weights.floats(
                                arena, BackwardKernels.denseWeightsScratch(4 * hidden, batch));
        return new Tape() {
            // the plan's input row: the frame, then h when the matrix covers it (zeros past them)
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
                if (wh == null) tape.tape.enter(t, hPrev, 0, hidden, inputSize, hidden, k);
                tape.forward(t, z, k);
                if (wh != null)
                    k.gemm(wh.value(), 0, 4 * hidden, hidden, hPrev, 0, z, 0, batch, true);
            }

            // dL/dh from the plan's input gradient, or through the dense W_h (frames are data:
            // the plan over x alone needs no input gradient)
            @Override
            public void backward(
                    int t,
                    MemorySegment dz,
                    MemorySegment hPrev,
                    MemorySegment dhPrev,
                    MemorySegment[] grads,
                    BackwardKernels bk) {
                tape.backward(t, dz, wh == null, bk);
                if (wh == null) {
                    tape.tape.inputGradient(inputSize, hidden, dhPrev, 0, hidden);
                    return;
                }
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
                        batch,
                        whScratch);
                bk.denseInput(
                        wh.value(), 4 * hidden, hidden, 0, hidden, dz, 0, dhPrev, 0, hidden, batch);
            }

            @Override
            public void finish(MemorySegment[] grads, BackwardKernels bk) {
                tape.finish(grads);
            }
        };
    }
}
