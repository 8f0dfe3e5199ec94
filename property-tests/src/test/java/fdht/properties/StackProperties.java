package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.convert.HtDecomposition;
import fdht.convert.Truncation;
import fdht.kernels.DenseReconstruction;
import fdht.kernels.format.GateFactors;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.DimensionTree;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A stacked and/or bidirectional LSTM converted to FDHT at full ranks (each layer and direction its
 * own HT tensor, by the converter's own decomposition and default factors) equals the dense stack
 * it encodes, computed here the obvious way in double precision (PyTorch's equations layer by
 * layer, the reverse direction over reversed time, outputs concatenated, the head on {@code
 * output[:, -1]}): every output {@code [B, T, D*H]} and every logit. Would fail on a layer fed the
 * wrong input, a reverse direction reading forward or written to the wrong half, the head reading
 * the wrong frame, or a layer's decomposition losing weights.
 *
 * <p>Tolerance, derived: with {@code |x| <= 1}, {@code |h| < 1}, a layer's pre-activations differ
 * by at most {@code e = max_i sum_j |W - W_ht|_ij} (the weights the decomposition changed,
 * measured) plus both sides' float rounding {@code 2 * 2u * cols * max_i sum_j |W_ij|}, plus {@code
 * G = max_i sum_j |W_ij|} times the error already in its inputs ({@code [x ; h]}). sigmoid is
 * 1/4-Lipschitz, tanh 1-Lipschitz and {@code |c_t| <= t}, so {@code dc_t <= dc_{t-1} + (t + 5)/4 dz
 * + 3a}, {@code dh_t <= dc_t + dz/4 + 2a} ({@code a}: the activations' error), layer after layer;
 * the head adds its row sums times that.
 */
class StackProperties {
    static final double U = Math.ulp(1f) / 2, ACT = 4e-7;

    record Shape(
            int input,
            int hidden,
            int layers,
            int directions,
            int frames,
            int batch,
            int classes,
            long seed) {}

    @Provide
    Arbitrary<Shape> shapes() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 40),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.longs())
                .as(Shape::new);
    }

    @Property(tries = 40)
    void aStackConvertedAtFullRanksEqualsTheDenseStack(@ForAll("shapes") Shape s) {
        try (Arena arena = Arena.ofConfined()) {
            int d2 = s.directions();
            Lstm[][] fdht = new Lstm[s.layers()][d2];
            float[][][] weights = new float[s.layers()][d2][], biases = new float[s.layers()][d2][];
            double err = 0; // the bound on any h so far, layer by layer
            for (int l = 0; l < s.layers(); l++) {
                int in = l == 0 ? s.input() : d2 * s.hidden(),
                        cols = in + s.hidden(),
                        fourH = 4 * s.hidden();
                double layerErr = 0;
                for (int d = 0; d < d2; d++) {
                    long seed = s.seed() + 31L * l + d;
                    // scaled so each row sums to about 1/2 in absolute value: a contracting, still
                    // input-driven network
                    float[] w = Numerics.random(fourH * cols, seed, 1.0 / cols);
                    float[] bias = Numerics.random(fourH, seed + 1, 0.5);
                    MemorySegment wSeg = Weights.copyOf(arena, w);
                    weights[l][d] = w;
                    biases[l][d] = bias;
                    int[] m = GateFactors.rows(s.hidden(), 2);
                    int[] n = GateFactors.columns(cols, m, 4);
                    HtDecomposition.Result r =
                            HtDecomposition.decompose(
                                    wSeg,
                                    cols,
                                    m,
                                    n,
                                    DimensionTree.balanced(2),
                                    Truncation.full(),
                                    arena,
                                    null);
                    fdht[l][d] = Lstm.fdht(r.matrix(), in, bias, arena);
                    MemorySegment back = DenseReconstruction.of(r.matrix(), cols, arena);
                    double e = 0, g = 0;
                    for (int i = 0; i < fourH; i++) {
                        double de = 0, rs = 0;
                        for (int j = 0; j < cols; j++) {
                            de +=
                                    Math.abs(
                                            w[i * cols + j]
                                                    - Weights.get(back, (long) i * cols + j));
                            rs += Math.abs(w[i * cols + j]);
                        }
                        e = Math.max(e, de);
                        g = Math.max(g, rs);
                    }
                    // fdht contracts through the plan (chain <= cols of the padded matrix), dense
                    // sums cols terms
                    double dz0 = e + 2 * 2 * U * r.matrix().format().cols() * g;
                    double dc = 0, dh = 0;
                    for (int t = 1; t <= s.frames(); t++) {
                        double dz = dz0 + g * Math.max(err, dh);
                        dc = dc + (t + 5) / 4.0 * dz + 3 * ACT;
                        dh = Math.max(dh, dc + dz / 4 + 2 * ACT);
                    }
                    layerErr = Math.max(layerErr, dh);
                }
                err = layerErr;
            }
            float[] headW = Numerics.random(s.classes() * d2 * s.hidden(), s.seed() + 99, 1);
            DenseHead head =
                    new DenseHead(
                            headW,
                            Numerics.random(s.classes(), s.seed() + 98, 1),
                            s.classes(),
                            d2 * s.hidden(),
                            arena);
            double headRow = 0;
            for (int k = 0; k < s.classes(); k++) {
                double rs = 0;
                for (int j = 0; j < d2 * s.hidden(); j++)
                    rs += Math.abs(headW[k * d2 * s.hidden() + j]);
                headRow = Math.max(headRow, rs);
            }
            LstmStack b = LstmStack.of(fdht, head);
            int width = b.outputSize();
            float[] x = Numerics.random(s.batch() * s.frames() * s.input(), s.seed() + 7, 1);
            MemorySegment clip = Weights.copyOf(arena, x);
            MemorySegment ob = Weights.floats(arena, (long) s.batch() * s.frames() * width),
                    yb = Weights.floats(arena, (long) s.batch() * s.classes());
            b.run(clip, s.frames(), b.newWorkspace(s.batch(), s.frames(), arena), ob, yb);
            double[][][] ref = new double[s.batch()][][];
            double[][] refLogits = new double[s.batch()][s.classes()];
            for (int row = 0; row < s.batch(); row++) {
                ref[row] =
                        reference(
                                s,
                                weights,
                                biases,
                                java.util.Arrays.copyOfRange(
                                        x,
                                        row * s.frames() * s.input(),
                                        (row + 1) * s.frames() * s.input()));
                for (int k = 0; k < s.classes(); k++) {
                    double sum = head.biasToArray()[k];
                    for (int j = 0; j < width; j++)
                        sum += headW[k * width + j] * ref[row][s.frames() - 1][j];
                    refLogits[row][k] = sum;
                }
            }
            for (int row = 0; row < s.batch(); row++)
                for (int t = 0; t < s.frames(); t++)
                    for (int j = 0; j < width; j++)
                        assertEquals(
                                ref[row][t][j],
                                Weights.get(ob, ((long) row * s.frames() + t) * width + j),
                                err,
                                s + ": output row " + row + " t " + t + " j " + j);
            double logitErr = headRow * err + 2 * 2 * U * d2 * s.hidden() * headRow;
            for (int row = 0; row < s.batch(); row++)
                for (int k = 0; k < s.classes(); k++)
                    assertEquals(
                            refLogits[row][k],
                            Weights.get(yb, (long) row * s.classes() + k),
                            logitErr,
                            s + ": logit " + row + ", " + k);
        }
    }

    /**
     * PyTorch's nn.LSTM over one clip {@code x[T][N]} in double precision: the last layer's output
     * {@code [T][D*H]}.
     */
    static double[][] reference(Shape s, float[][][] w, float[][][] b, float[] x) {
        int frames = s.frames(), hidden = s.hidden(), dirs = s.directions();
        double[][] seq = new double[frames][];
        for (int t = 0; t < frames; t++) {
            seq[t] = new double[s.input()];
            for (int j = 0; j < s.input(); j++) seq[t][j] = x[t * s.input() + j];
        }
        for (int l = 0; l < s.layers(); l++) {
            int in = seq[0].length, cols = in + hidden;
            double[][] next = new double[frames][dirs * hidden];
            for (int d = 0; d < dirs; d++) {
                double[] h = new double[hidden], c = new double[hidden];
                for (int step = 0; step < frames; step++) {
                    int t = d == 1 ? frames - 1 - step : step;
                    double[] z = new double[4 * hidden];
                    for (int r = 0; r < 4 * hidden; r++) {
                        double sum = b[l][d][r];
                        for (int j = 0; j < in; j++) sum += w[l][d][r * cols + j] * seq[t][j];
                        for (int j = 0; j < hidden; j++) sum += w[l][d][r * cols + in + j] * h[j];
                        z[r] = sum;
                    }
                    for (int u = 0; u < hidden; u++) {
                        double i = sigmoid(z[u]),
                                f = sigmoid(z[hidden + u]),
                                g = Math.tanh(z[2 * hidden + u]),
                                o = sigmoid(z[3 * hidden + u]);
                        c[u] = f * c[u] + i * g;
                        h[u] = o * Math.tanh(c[u]);
                        next[t][d * hidden + u] = h[u];
                    }
                }
            }
            seq = next;
        }
        return seq;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
