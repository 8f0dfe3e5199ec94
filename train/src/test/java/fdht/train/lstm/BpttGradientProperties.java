package fdht.train.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.kernels.format.LayerFormat;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;
import fdht.layout.Weights;
import fdht.train.plan.BackwardProvider;
import fdht.train.plan.DoubleReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * BPTT through a clip: for the five formats and random small models, clips and labels, the gradient
 * of the summed cross-entropy with respect to every parameter (projection cores or matrices, gate
 * bias, head) equals central finite differences of a double-precision LSTM run on the dense {@code
 * W} reconstructed from the parameters by the definitions.
 */
class BpttGradientProperties {
    static final int N = 5, H = 2, C = 3;

    /** How many formats {@link #kind} makes: {@code which} is {@code 0..KINDS-1}. */
    static final int KINDS = 5;

    /** A small layer of format {@code which}: FDHT, dense, HT on W_x, TT over [x;h], TT-LSTM. */
    static LayerFormat kind(int which, int rank) {
        int[] m = {2, 2, 2};
        return switch (which) {
            case 0 -> new LayerFormat.Fdht(HtFormat.uniform(m, new int[] {2, 2, 2}, rank), N);
            case 1 -> new LayerFormat.Dense(N, H);
            case 2 ->
                    new LayerFormat.HtInput(
                            new HtFormat(
                                    new int[] {2, 4},
                                    new int[] {3, 2},
                                    DimensionTree.balanced(2),
                                    new int[] {Math.min(rank, 6), Math.min(rank, 6), 1}),
                            N);
            case 3 -> new LayerFormat.Tt(TtFormat.uniform(m, new int[] {2, 2, 2}, rank), N);
            // TT-LSTM as published: TT on W_x (one padding column), dense W_h
            default ->
                    new LayerFormat.TtInput(
                            TtFormat.withCappedRanks(new int[] {4, 2}, new int[] {2, 3}, rank), N);
        };
    }

    /**
     * Batches of one partly filled lane chunk, and 17: whole chunks plus a padded one at every
     * width.
     */
    @Provide
    Arbitrary<Integer> batches() {
        return Arbitraries.of(1, 2, 3, 17);
    }

    @Property(tries = 40)
    void bpttGradientEqualsFiniteDifferences(
            @ForAll @IntRange(min = 0, max = KINDS - 1) int which,
            @ForAll @IntRange(min = 1, max = 3) int rank,
            @ForAll("batches") int batch,
            @ForAll @IntRange(min = 1, max = 4) int frames,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            LayerFormat kind = kind(which, rank);
            TrainableLstm model = TrainableLstm.initial(kind, C, seed, arena);
            // larger weights than the init, so that every gate is away from its linear regime
            SplittableRandom r = new SplittableRandom(seed + 1);
            List<Parameter> ps = model.parameters();
            randomise(model, r);
            float[] x = new float[batch * frames * N];
            for (int e = 0; e < x.length; e++) x[e] = (float) r.nextDouble();
            int[] labels = new int[batch];
            for (int b = 0; b < batch; b++) labels[b] = r.nextInt(C);
            Bptt bptt = new Bptt(model, batch, frames, arena);
            MemorySegment clips = Weights.copyOf(arena, x);
            Bptt.Result res =
                    bptt.run(
                            clips,
                            labels,
                            1.0,
                            KernelProvider.kernels(),
                            BackwardProvider.kernels());

            double[][] values = new double[ps.size()][];
            for (int i = 0; i < values.length; i++) {
                float[] v = ps.get(i).toArray();
                values[i] = new double[v.length];
                for (int e = 0; e < v.length; e++) values[i][e] = v[e];
            }
            double loss = loss(kind, values, x, labels, batch, frames);
            assertEquals(loss, res.lossSum(), 1e-4 * (1 + loss), "loss");
            double step = 1e-5;
            for (int i = 0; i < values.length; i++) {
                for (int e = 0; e < values[i].length; e++) {
                    double keep = values[i][e];
                    values[i][e] = keep + step;
                    double up = loss(kind, values, x, labels, batch, frames);
                    values[i][e] = keep - step;
                    double down = loss(kind, values, x, labels, batch, frames);
                    values[i][e] = keep;
                    double fd = (up - down) / (2 * step);
                    double got = bptt.gradients()[i].getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    assertEquals(
                            fd,
                            got,
                            2e-4 * batch * frames + 1e-3 * Math.abs(fd),
                            ps.get(i).name() + "[" + e + "] of " + kind);
                }
            }
        }
    }

    /** Every parameter of {@code model} uniform in [-1, 1), then refreshed. */
    static void randomise(TrainableLstm model, SplittableRandom r) {
        for (Parameter p : model.parameters()) {
            float[] v = p.toArray();
            for (int e = 0; e < v.length; e++) v[e] = (float) (r.nextDouble() * 2 - 1);
            p.set(v);
        }
        model.refresh();
    }

    /** Summed cross-entropy of a double-precision LSTM on W reconstructed from the parameters. */
    static double loss(
            LayerFormat kind, double[][] v, float[] x, int[] labels, int batch, int frames) {
        int w4 = 4 * H, width = N + H;
        double[] w = new double[w4 * width];
        int k = 0;
        switch (kind) {
            case LayerFormat.Planned p -> {
                MatrixFormat f = p.matrix();
                int nodes = f.nodeCount();
                double[][] nv = java.util.Arrays.copyOf(v, nodes);
                double[] full =
                        switch (f) {
                            case HtFormat ht -> DoubleReference.ht(ht, nv);
                            case TtFormat tt -> DoubleReference.tt(tt, nv);
                        };
                for (int i = 0; i < w4; i++) {
                    for (int j = 0; j < p.columns(); j++) w[i * width + j] = full[i * f.cols() + j];
                    if (!p.coversHidden())
                        for (int j = 0; j < H; j++) w[i * width + N + j] = v[nodes][i * H + j];
                }
                k = nodes + (p.coversHidden() ? 0 : 1);
            }
            case LayerFormat.Dense d -> {
                System.arraycopy(v[0], 0, w, 0, w.length);
                k = 1;
            }
        }
        return lstmLoss(w, v[k], v[k + 1], v[k + 2], x, labels, batch, frames, N, H, C);
    }

    /**
     * Summed cross-entropy of a double-precision LSTM of {@code n} inputs, {@code hid} hidden units
     * and {@code classes} classes: {@code w} is {@code 4H x (N + H)} over {@code [x ; h]}, clips
     * {@code x} are {@code [batch][frames][n]}.
     */
    static double lstmLoss(
            double[] w,
            double[] bias,
            double[] hw,
            double[] hb,
            float[] x,
            int[] labels,
            int batch,
            int frames,
            int n,
            int hid,
            int classes) {
        int w4 = 4 * hid, width = n + hid;
        double total = 0;
        for (int b = 0; b < batch; b++) {
            double[] h = new double[hid], c = new double[hid];
            for (int t = 0; t < frames; t++) {
                double[] xh = new double[width];
                for (int j = 0; j < n; j++) xh[j] = x[(b * frames + t) * n + j];
                System.arraycopy(h, 0, xh, n, hid);
                double[] z = new double[w4];
                for (int i = 0; i < w4; i++) {
                    double s = bias[i];
                    for (int j = 0; j < width; j++) s += w[i * width + j] * xh[j];
                    z[i] = s;
                }
                for (int u = 0; u < hid; u++) {
                    double ig = 1 / (1 + Math.exp(-z[u])), fg = 1 / (1 + Math.exp(-z[hid + u]));
                    double gg = Math.tanh(z[2 * hid + u]), og = 1 / (1 + Math.exp(-z[3 * hid + u]));
                    c[u] = fg * c[u] + ig * gg;
                    h[u] = og * Math.tanh(c[u]);
                }
            }
            double[] logit = new double[classes];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                double s = hb[j];
                for (int u = 0; u < hid; u++) s += hw[j * hid + u] * h[u];
                logit[j] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logit[j] - max);
            total += max + Math.log(sum) - logit[labels[b]];
        }
        return total;
    }
}
