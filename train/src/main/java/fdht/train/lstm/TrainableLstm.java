package fdht.train.lstm;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.DenseProjection;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.PlannedProjection;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trainable LSTM video classifier: a {@link TrainableProjection} in any {@link LayerFormat}, the
 * gate bias {@code lstm.bias} ({@code b_ih + b_hh}, 4H) and a linear head ({@code head.weight} C x
 * H, {@code head.bias} C) on the last hidden state. It exports to the kernels' {@link Lstm} (the
 * inference path, which evaluation uses) and writes the fdht model file ({@link LstmModelFile}); a
 * dense model is written as a PyTorch {@code nn.LSTM} state dict with head {@code fc}, which {@code
 * fdht convert --from-pytorch} reads.
 *
 * <p>Thread safety: the parameters are written by the optimiser between steps only.
 */
public final class TrainableLstm {
    private final TrainableProjection projection;
    private final Parameter bias;
    private final Parameter headWeight;
    private final Parameter headBias;
    private final int classes;

    public TrainableLstm(
            TrainableProjection projection,
            float[] bias,
            float[] headWeight,
            float[] headBias,
            Arena arena) {
        int h = projection.hiddenSize();
        this.projection = projection;
        this.classes = headBias.length;
        this.bias = Parameter.zeros("lstm.bias", new long[] {4L * h}, arena);
        this.bias.set(bias);
        this.headWeight = Parameter.zeros("head.weight", new long[] {classes, h}, arena);
        this.headWeight.set(headWeight);
        this.headBias = Parameter.zeros("head.bias", new long[] {classes}, arena);
        this.headBias.set(headBias);
    }

    /**
     * A fresh model in {@code format}: weights whose reconstructed {@code W} has the variance
     * {@code 1/(N_x + H)} ({@link Initialisation}; a dense {@code W_h} beside a structured matrix
     * drawn after its nodes), forget-gate bias 1 and the other gate biases 0, head entries of
     * variance {@code 1/H} and bias 0.
     */
    public static TrainableLstm initial(LayerFormat format, int classes, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int inputSize = format.inputSize(), hidden = format.hiddenSize();
        double variance = 1.0 / (inputSize + hidden);
        TrainableProjection p =
                switch (format) {
                    case LayerFormat.Planned f -> {
                        float[][] nodes = Initialisation.nodes(f.matrix(), variance, rnd);
                        yield new PlannedTrainable(
                                f,
                                nodes,
                                f.coversHidden()
                                        ? null
                                        : Initialisation.uniform(
                                                4 * hidden * hidden, variance, rnd),
                                arena);
                    }
                    case LayerFormat.Dense f ->
                            new DenseTrainable(
                                    f,
                                    Initialisation.uniform(
                                            4 * hidden * (inputSize + hidden), variance, rnd),
                                    arena);
                };
        float[] b = new float[4 * hidden];
        for (int u = hidden; u < 2 * hidden; u++) b[u] = 1f;
        return new TrainableLstm(
                p,
                b,
                Initialisation.uniform(classes * hidden, 1.0 / hidden, rnd),
                new float[classes],
                arena);
    }

    /**
     * Starts from an inference model (fine-tuning {@code --init}); a missing head is made fresh
     * with {@code classes} outputs.
     */
    public static TrainableLstm from(Lstm lstm, int classes, long seed, Arena arena) {
        TrainableProjection p =
                switch (lstm.projection()) {
                    case PlannedProjection f ->
                            new PlannedTrainable(
                                    f.format(),
                                    f.weights().toArrays(),
                                    f.hiddenWeights()
                                            .map(
                                                    wh ->
                                                            Weights.toArray(
                                                                    wh,
                                                                    0,
                                                                    4
                                                                            * f.hiddenSize()
                                                                            * f.hiddenSize()))
                                            .orElse(null),
                                    arena);
                    case DenseProjection f ->
                            new DenseTrainable(
                                    f.format(),
                                    Weights.toArray(
                                            f.weights().weights(),
                                            0,
                                            4 * f.hiddenSize() * (f.inputSize() + f.hiddenSize())),
                                    arena);
                };
        int h = lstm.hiddenSize();
        float[] hw, hb;
        if (lstm.head().isPresent()) {
            DenseHead head = lstm.head().get();
            if (head.classes() != classes)
                throw new IllegalArgumentException(
                        "the model's head has "
                                + head.classes()
                                + " classes but the task has "
                                + classes);
            hw = head.weightsToArray();
            hb = head.biasToArray();
        } else {
            hw = Initialisation.uniform(classes * h, 1.0 / h, new SplittableRandom(seed));
            hb = new float[classes];
        }
        return new TrainableLstm(p, lstm.biasToArray(), hw, hb, arena);
    }

    public TrainableProjection projection() {
        return projection;
    }

    public int inputSize() {
        return projection.inputSize();
    }

    public int hiddenSize() {
        return projection.hiddenSize();
    }

    public int classes() {
        return classes;
    }

    Parameter bias() {
        return bias;
    }

    Parameter headWeight() {
        return headWeight;
    }

    Parameter headBias() {
        return headBias;
    }

    /**
     * Projection parameters first, then {@code lstm.bias}, {@code head.weight}, {@code head.bias}.
     */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(projection.parameters());
        all.add(bias);
        all.add(headWeight);
        all.add(headBias);
        return all;
    }

    /** Floats of all parameters, head included. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.size();
        return n;
    }

    /**
     * Floats of the LSTM layer alone (projection and bias), as {@code Lstm.parameterCount} counts.
     */
    public long layerParameterCount() {
        long n = bias.size();
        for (Parameter p : projection.parameters()) n += p.size();
        return n;
    }

    /** After the optimiser wrote the parameters. */
    public void refresh() {
        projection.refresh();
    }

    /** The inference model with a copy of the current weights (head included) in {@code arena}. */
    public Lstm export(Arena arena) {
        return Lstm.of(projection.export(arena), bias.toArray(), arena)
                .withHead(
                        new DenseHead(
                                headWeight.toArray(),
                                headBias.toArray(),
                                classes,
                                hiddenSize(),
                                arena));
    }

    /**
     * Writes the model atomically through {@link LstmModelFile}: an fdht model file, or for dense a
     * PyTorch state dict.
     */
    public void write(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.write(export(arena), path);
        }
    }

    /** A copy of every parameter's values, for checkpoints kept in memory. */
    public float[][] snapshot() {
        List<Parameter> ps = parameters();
        float[][] v = new float[ps.size()][];
        for (int i = 0; i < v.length; i++) v[i] = ps.get(i).toArray();
        return v;
    }

    /** Sets every parameter from {@link #snapshot()}'s layout, then refreshes. */
    public void restore(float[][] values) {
        List<Parameter> ps = parameters();
        if (values.length != ps.size())
            throw new IllegalArgumentException(
                    "snapshot has " + values.length + " tensors, model " + ps.size());
        for (int i = 0; i < values.length; i++) ps.get(i).set(values[i]);
        refresh();
    }

    public String describe() {
        return projection.describe()
                + ", head "
                + classes
                + " classes, "
                + parameterCount()
                + " parameters ("
                + layerParameterCount()
                + " in the LSTM layer)";
    }

    static MemorySegment[] gradientsFor(List<Parameter> ps, Arena arena) {
        MemorySegment[] g = new MemorySegment[ps.size()];
        for (int i = 0; i < g.length; i++) g[i] = Weights.floats(arena, ps.get(i).size());
        return g;
    }
}
