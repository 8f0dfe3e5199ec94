package fdht.train.lstm;

import fdht.kernels.lstm.GateProjection;
import fdht.kernels.lstm.TtProjection;
import fdht.layout.ContractionPlanner;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.train.plan.TtPacking;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Trainable TT projection: one TT matrix {@code 4H x prod n_k} over {@code [x ; h ; 0]}, the layout
 * the kernels' {@code Lstm.tt} and the model file's {@code kind=tt} run, contracted in TIE's order.
 * Parameters {@code tt.core.1 ..}.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class TtTrainable implements TrainableProjection {
    private final TtFormat format;
    private final int inputSize;
    private final int hidden;
    private final List<Parameter> cores;
    private final StructuredWeights weights;

    public TtTrainable(TtFormat format, int inputSize, float[][] coreValues, Arena arena) {
        GateProjection.requireShape(
                "TT matrix",
                format.rows(),
                format.cols(),
                inputSize,
                format.rows() / 4,
                (long) inputSize + format.rows() / 4);
        this.format = format;
        this.inputSize = inputSize;
        this.hidden = format.rows() / 4;
        TtPacking packing = new TtPacking(format);
        this.cores = StructuredWeights.nodeParameters(packing, "tt.core.", coreValues, arena);
        this.weights =
                new StructuredWeights(
                        packing,
                        cores,
                        0,
                        b -> ContractionPlanner.tieOrder(format, b),
                        TtMatrix.of(format, coreValues, arena),
                        arena);
    }

    public TtFormat format() {
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
        return List.copyOf(cores);
    }

    @Override
    public void refresh() {
        weights.refresh();
    }

    @Override
    public String describe() {
        return "TT over [x;h], " + format + ", " + format.parameterCount() + " weights";
    }

    @Override
    public GateProjection export(Arena arena) {
        return new TtProjection(
                TtMatrix.of(format, StructuredWeights.nodeArrays(cores), arena), inputSize, hidden);
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        return weights.concatenatedTape(batch, frames, inputSize, hidden, arena);
    }
}
