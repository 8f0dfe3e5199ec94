package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.kernels.lstm.GateProjection;
import fdht.kernels.lstm.TtProjection;
import fdht.layout.ContractionPlanner;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.TtPacking;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Trainable TT projection: one TT matrix {@code 4H x prod n_k} over {@code [x ; h ; 0]}, the
 * layout the kernels' {@code Lstm.tt} and the model file's {@code kind=tt} run, contracted in
 * TIE's order. Parameters {@code tt.core.1 ..}.
 *
 * <p>Thread safety: see {@link TrainableProjection}.
 */
public final class TtTrainable implements TrainableProjection {
    private final TtFormat format;
    private final int inputSize;
    private final int hidden;
    private final List<Parameter> cores = new ArrayList<>();
    private final StructuredWeights weights;

    public TtTrainable(TtFormat format, int inputSize, float[][] coreValues, Arena arena) {
        GateProjection.requireShape("TT matrix", format.rows(), format.cols(), inputSize, format.rows() / 4, (long) inputSize + format.rows() / 4);
        this.format = format;
        this.inputSize = inputSize;
        this.hidden = format.rows() / 4;
        TtPacking packing = new TtPacking(format);
        for (int k = 0; k < packing.nodeCount(); k++) {
            Parameter p = Parameter.zeros("tt.core." + (k + 1), packing.nodeShape(k), arena);
            p.set(coreValues[k]);
            cores.add(p);
        }
        this.weights = new StructuredWeights(packing, cores, 0, b -> ContractionPlanner.tieOrder(format, b), TtMatrix.of(format, coreValues, arena), arena);
    }

    public TtFormat format() { return format; }
    @Override public int inputSize() { return inputSize; }
    @Override public int hiddenSize() { return hidden; }
    @Override public List<Parameter> parameters() { return List.copyOf(cores); }
    @Override public void refresh() { weights.refresh(); }
    @Override public String describe() { return "TT over [x;h], " + format + ", " + format.parameterCount() + " weights"; }

    @Override
    public GateProjection export(Arena arena) {
        float[][] v = new float[cores.size()][];
        for (int k = 0; k < v.length; k++) v[k] = cores.get(k).toArray();
        return new TtProjection(TtMatrix.of(format, v, arena), inputSize, hidden);
    }

    @Override
    public Tape newTape(int batch, int frames, Arena arena) {
        StructuredWeights.Tape tape = weights.tape(batch, frames, arena);
        int cols = format.cols();
        MemorySegment dxh = Weights.floats(arena, (long) batch * cols);
        return new Tape() {
            @Override
            public void forward(int t, MemorySegment x, long xOff, long xStride, MemorySegment hPrev, MemorySegment z, Kernels k) {
                MemorySegment in = tape.input(t);
                for (int b = 0; b < batch; b++) {
                    MemorySegment.copy(x, (xOff + b * xStride) * Float.BYTES, in, (long) b * cols * Float.BYTES, (long) inputSize * Float.BYTES);
                    MemorySegment.copy(hPrev, (long) b * hidden * Float.BYTES, in, ((long) b * cols + inputSize) * Float.BYTES, (long) hidden * Float.BYTES);
                }
                tape.forward(t, z, k);
            }

            @Override
            public void backward(int t, MemorySegment dz, MemorySegment hPrev, MemorySegment dhPrev, MemorySegment[] grads, BackwardKernels bk) {
                tape.backward(t, dz, dxh, bk);
                for (int b = 0; b < batch; b++) {
                    MemorySegment.copy(dxh, ((long) b * cols + inputSize) * Float.BYTES, dhPrev, (long) b * hidden * Float.BYTES, (long) hidden * Float.BYTES);
                }
            }

            @Override
            public void finish(MemorySegment[] grads) { tape.finish(grads); }
        };
    }
}
