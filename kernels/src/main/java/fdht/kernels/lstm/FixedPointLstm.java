package fdht.kernels.lstm;

import fdht.kernels.FixedPoint;
import fdht.layout.CompiledPlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@link LstmStack} run in the accelerator's fixed-point arithmetic ({@link FixedPoint}: one
 * signed word format, {@code bits} wide with {@code fraction} fractional bits), for scoring a model
 * as the chip would compute it. What is quantised, and how:
 *
 * <ul>
 *   <li>Weights: every plan stage's packed factor ({@link FixedPoint#quantizeFactors}), a dense
 *       {@code W_h} and a dense layer's whole {@code W}, and the gate bias, each rounded to the
 *       nearest word and saturated.
 *   <li>Activations: the frame (rounded and saturated on entry), every plan intermediate, the gate
 *       pre-activations {@code z}, the gates, {@code c} and {@code h} are words.
 *   <li>Accumulators: each output of a plan stage or dense stage is summed exactly (64 bits) and
 *       rescaled once to a word, a half step rounding up, saturating ({@link FixedPoint#rescale});
 *       the plan runs through a {@link PlanRunner} ({@link FixedPoint#run}, or the accelerator's
 *       functional model, which equals it bit for bit). {@code z} = plan result + dense {@code W_h
 *       h} (x-only formats) + bias, each addition saturating.
 *   <li>Nonlinearities: {@code sigmoid} and {@code tanh} of a word are the nearest word to the
 *       exact function of its value (what a lookup table with one entry per input word gives).
 *       {@code c = f c + i g} is two products summed exactly and rescaled once; {@code h = o
 *       tanh(c)} one product rescaled.
 *   <li>Not quantised: the classifier head, which the accelerator model does not include, runs in
 *       double precision on the dequantised last output and returns float logits.
 * </ul>
 *
 * <p>Cost: per frame, a plan's MACs (or {@code 4H x (N_x + H)} for dense) in scalar {@code long}
 * arithmetic, about a nanosecond each, with a few arrays allocated per step (this is a reference
 * path, not a kernel); the quantised weights take 4 bytes per weight (a dense UCF-size layer: 237
 * MB). Immutable and thread-safe: each {@link #logits} call has its own state.
 */
public final class FixedPointLstm {
    /** How a plan stage sequence is run in fixed point: {@link FixedPoint#run}'s signature. */
    @FunctionalInterface
    public interface PlanRunner {
        /** {@code y = W x}: {@code x} quantised in plan input order, {@code y} in row order. */
        long[] run(CompiledPlan plan, long[][] factors, long[] x);
    }

    private final FixedPoint fp;
    private final PlanRunner runner;
    private final Layer[][] layers; // [layer][direction]
    private final int inputSize, hidden, directions;
    private final float[] headWeight, headBias;
    private final int classes;

    /**
     * One layer and direction of {@code input} inputs quantised: a plan ({@code plan} and its
     * {@code factors}, over {@code [x ; h ; 0]}, or over {@code [x ; 0]} when {@code dense} is
     * {@code W_h}), or no plan and {@code dense} the whole {@code W} over {@code [x ; h]}; and the
     * bias.
     */
    private record Layer(
            int input, CompiledPlan plan, long[][] factors, int[] dense, long[] bias) {}

    private FixedPointLstm(
            FixedPoint fp, PlanRunner runner, LstmStack stack, DenseHead head, Layer[][] layers) {
        this.fp = fp;
        this.runner = runner;
        this.layers = layers;
        this.inputSize = stack.inputSize();
        this.hidden = stack.hiddenSize();
        this.directions = stack.directions();
        this.headWeight = head.weightsToArray();
        this.headBias = head.biasToArray();
        this.classes = head.classes();
    }

    /** {@code stack} quantised to {@code fp}, its plans run by {@link FixedPoint#run}. */
    public static FixedPointLstm of(LstmStack stack, FixedPoint fp, Arena arena) {
        return of(stack, fp, fp::run, arena);
    }

    /**
     * {@code stack} quantised to {@code fp}, its plans run by {@code runner}; plans are compiled
     * into {@code arena} (their batch-1 plans, the accelerator's).
     */
    public static FixedPointLstm of(
            LstmStack stack, FixedPoint fp, PlanRunner runner, Arena arena) {
        DenseHead head =
                stack.head()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the model has no head: a fixed-point score needs a classifier"));
        Layer[][] layers = new Layer[stack.layerCount()][stack.directions()];
        for (int l = 0; l < layers.length; l++)
            for (int d = 0; d < layers[l].length; d++)
                layers[l][d] = quantize(stack.layer(l, d), fp, arena);
        return new FixedPointLstm(fp, runner, stack, head, layers);
    }

    private static Layer quantize(Lstm lstm, FixedPoint fp, Arena arena) {
        int h = lstm.hiddenSize(), fourH = 4 * h;
        long[] bias = new long[fourH];
        float[] b = lstm.biasToArray();
        for (int e = 0; e < fourH; e++) bias[e] = fp.quantize(b[e]);
        return switch (lstm.projection()) {
            case PlannedProjection p -> {
                CompiledPlan plan = CompiledPlan.compile(p.format().plan(1), p.weights(), arena);
                int[] wh =
                        p.hiddenWeights()
                                .map(s -> fp.quantizeAll(Weights.toArray(s, 0, fourH * h)))
                                .orElse(null);
                yield new Layer(lstm.inputSize(), plan, fp.quantizeFactors(plan), wh, bias);
            }
            case DenseProjection p -> {
                GateMatrix g = p.weights();
                MemorySegment w = g.weights();
                long n = (long) fourH * g.cols();
                if (n > Integer.MAX_VALUE - 8)
                    throw new IllegalArgumentException(
                            "a dense layer of "
                                    + n
                                    + " weights is too large for the fixed-point path");
                int[] words = new int[(int) n];
                for (int e = 0; e < words.length; e++)
                    words[e] = (int) fp.quantize(Weights.get(w, e));
                yield new Layer(lstm.inputSize(), null, null, words, bias);
            }
        };
    }

    /** The word format. */
    public FixedPoint format() {
        return fp;
    }

    /** N_x, the width of one frame. */
    public int inputSize() {
        return inputSize;
    }

    /** Classes of the head. */
    public int classes() {
        return classes;
    }

    /**
     * The head's logits for one clip, {@code frames x N_x} floats from float offset {@code offset}
     * of {@code clips}, run from zero state through every layer in fixed point.
     */
    public float[] logits(MemorySegment clips, long offset, int frames) {
        long[][] in = new long[frames][inputSize];
        for (int t = 0; t < frames; t++)
            for (int j = 0; j < inputSize; j++)
                in[t][j] = fp.quantize(Weights.get(clips, offset + (long) t * inputSize + j));
        long[][] out = outputs(in);
        long[] last = out[frames - 1];
        float[] logits = new float[classes];
        int width = directions * hidden;
        for (int k = 0; k < classes; k++) {
            double s = headBias[k];
            for (int u = 0; u < width; u++)
                s += (double) headWeight[k * width + u] * fp.dequantize(last[u]);
            logits[k] = (float) s;
        }
        return logits;
    }

    /**
     * The last layer's output words {@code [t][D*H]} for input words {@code in[t][N_x]}: PyTorch's
     * {@code output}, {@code [h_fwd(t) ; h_rev(t)]}.
     */
    long[][] outputs(long[][] in) {
        int frames = in.length;
        for (Layer[] layer : layers) {
            long[][] out = new long[frames][directions * hidden];
            for (int d = 0; d < layer.length; d++) {
                long[] h = new long[hidden], c = new long[hidden];
                for (int s = 0; s < frames; s++) {
                    int t = d == 0 ? s : frames - 1 - s;
                    step(layer[d], in[t], h, c);
                    System.arraycopy(h, 0, out[t], d * hidden, hidden);
                }
            }
            in = out;
        }
        return in;
    }

    /**
     * One step of one layer: {@code h} and {@code c} updated in place from input words {@code x}.
     */
    private void step(Layer layer, long[] x, long[] h, long[] c) {
        long[] z;
        if (layer.plan != null) {
            long[] v = new long[(int) layer.plan.inputSize()];
            System.arraycopy(x, 0, v, 0, layer.input);
            boolean xOnly = layer.dense != null;
            if (!xOnly) System.arraycopy(h, 0, v, layer.input, hidden);
            z = runner.run(layer.plan, layer.factors, v);
            if (xOnly) {
                long[] r = fp.dense(layer.dense, 4 * hidden, h);
                for (int i = 0; i < z.length; i++) z[i] = fp.saturate(z[i] + r[i]);
            }
        } else {
            long[] v = new long[layer.input + hidden];
            System.arraycopy(x, 0, v, 0, layer.input);
            System.arraycopy(h, 0, v, layer.input, hidden);
            z = fp.dense(layer.dense, 4 * hidden, v);
        }
        for (int i = 0; i < z.length; i++) z[i] = fp.saturate(z[i] + layer.bias[i]);
        for (int u = 0; u < hidden; u++) {
            long ig = sigmoid(z[u]), fg = sigmoid(z[hidden + u]);
            long gg = tanh(z[2 * hidden + u]), og = sigmoid(z[3 * hidden + u]);
            c[u] = fp.rescale(fg * c[u] + ig * gg);
            h[u] = fp.rescale(og * tanh(c[u]));
        }
    }

    private long sigmoid(long word) {
        return fp.quantize(1 / (1 + Math.exp(-fp.dequantize(word))));
    }

    private long tanh(long word) {
        return fp.quantize(Math.tanh(fp.dequantize(word)));
    }
}
