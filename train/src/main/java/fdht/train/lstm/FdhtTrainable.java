package fdht.train.lstm;

import fdht.kernels.lstm.FdhtProjection;
import fdht.kernels.lstm.GateProjection;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.train.plan.HtPacking;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Trainable FDHT-LSTM projection: one HT matrix {@code 4H x prod n_k} over {@code [x ; h ; 0]},
 * contracted by the planner's cheapest plan for the whole batch, backward through the same plan.
 * Parameters {@code ht.node.1 ..} as the model file names them.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class FdhtTrainable implements TrainableProjection {
    private final HtFormat format;
    private final int inputSize;
    private final int hidden;
    private final List<Parameter> nodes;
    private final StructuredWeights weights;

    /** Starts from the given node tensors (layout of {@code HtMatrix.of}). */
    public FdhtTrainable(HtFormat format, int inputSize, float[][] nodeValues, Arena arena) {
        GateProjection.requireShape(
                "FDHT matrix",
                format.rows(),
                format.cols(),
                inputSize,
                format.rows() / 4,
                (long) inputSize + format.rows() / 4);
        this.format = format;
        this.inputSize = inputSize;
        this.hidden = format.rows() / 4;
        HtPacking packing = new HtPacking(format);
        this.nodes = StructuredWeights.nodeParameters(packing, "ht.node.", nodeValues, arena);
        HtMatrix initial = HtMatrix.of(format, nodeValues, arena);
        this.weights =
                new StructuredWeights(
                        packing, nodes, 0, b -> ContractionPlanner.plan(format, b), initial, arena);
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
        return List.copyOf(nodes);
    }

    @Override
    public void refresh() {
        weights.refresh();
    }

    @Override
    public String describe() {
        return "FDHT, one " + format + ", " + format.parameterCount() + " weights";
    }

    @Override
    public GateProjection export(Arena arena) {
        return new FdhtProjection(
                HtMatrix.of(format, StructuredWeights.nodeArrays(nodes), arena), inputSize, hidden);
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        return weights.concatenatedTape(batch, frames, inputSize, hidden, arena);
    }
}
