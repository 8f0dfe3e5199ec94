package fdht.train.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.ScalarKernels;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.Lstm;
import fdht.layout.Weights;
import fdht.train.plan.BackwardProvider;
import fdht.train.plan.ScalarBackward;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * One LSTM cell for inference and training, its derivative beside it:
 *
 * <ul>
 *   <li>the JVM's cell backward (the Vector API one in the vector runs, at every width the pom
 *       runs) equals the scalar twin on awkward sizes, within the rounding of its longest sum;
 *   <li>the scalar cell backward equals central finite differences of the cell's definition in
 *       double precision, for {@code dz}, {@code dc_{t-1}} and the bias gradient;
 *   <li>the trainer's forward pass is the inference step bit for bit where both run the same
 *       kernels (dense: the same GEMM on the same {@code [x ; h]} rows, then the same cell).
 * </ul>
 */
class CellProperties {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final float U = Math.ulp(1f) / 2;

    @Provide
    Arbitrary<Integer> hiddens() {
        int l = KernelProvider.kernels().lanes();
        return Arbitraries.oneOf(
                Arbitraries.of(1, 3, Math.max(1, l - 1), l, l + 1, 2 * l + 1, 70),
                Arbitraries.integers().between(1, 40));
    }

    /** The cell's inputs and outputs for {@code batch} rows of {@code hidden} units. */
    private record Cell(
            MemorySegment gates,
            MemorySegment tanhC,
            MemorySegment cPrev,
            MemorySegment dh,
            MemorySegment dc,
            MemorySegment dz,
            MemorySegment dBias) {
        /**
         * Random pre-activations through the scalar forward cell (gates left in place), its {@code
         * tanh(c_t)}, and random upstream gradients and bias-gradient start.
         */
        static Cell random(int hidden, int batch, float[] z, float[] c, long seed, Arena arena) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = batch * hidden;
            MemorySegment gates = Weights.copyOf(arena, z), cNow = Weights.copyOf(arena, c);
            MemorySegment h = Weights.floats(arena, n), tanhC = Weights.floats(arena, n);
            ScalarKernels.INSTANCE.lstmPointwise(
                    gates, 0, Weights.floats(arena, 4 * hidden), cNow, h, hidden, batch);
            ScalarKernels.INSTANCE.tanh(cNow, 0, tanhC, 0, n);
            return new Cell(
                    gates,
                    tanhC,
                    Weights.copyOf(arena, c),
                    uniform(n, r, arena),
                    uniform(n, r, arena),
                    Weights.floats(arena, 4L * n),
                    uniform(4 * hidden, r, arena));
        }

        Cell copy(Arena arena) {
            return new Cell(
                    gates,
                    tanhC,
                    cPrev,
                    dh,
                    copyOf(dc, arena),
                    copyOf(dz, arena),
                    copyOf(dBias, arena));
        }

        void backward(fdht.train.plan.BackwardKernels bk, int hidden, int batch) {
            bk.lstmCellBackward(gates, tanhC, cPrev, dh, dc, dz, dBias, hidden, batch);
        }
    }

    @Property(tries = 200)
    void cellBackwardEqualsItsScalarTwin(
            @ForAll("hiddens") int hidden,
            @ForAll @IntRange(min = 1, max = 19) int batch,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] z = values(4 * batch * hidden, 4, r), c = values(batch * hidden, 2, r);
            Cell scalar = Cell.random(hidden, batch, z, c, seed, arena), jvm = scalar.copy(arena);
            scalar.backward(ScalarBackward.INSTANCE, hidden, batch);
            jvm.backward(BackwardProvider.kernels(), hidden, batch);
            String what = BackwardProvider.kernels().name() + ", H " + hidden + ", batch " + batch;
            // dz and dc are products of at most five factors (|dc'| <= 2, |c_{t-1}| <= 2, the
            // rest <= 1), each rounded: two evaluations differ by at most 2 * 6u * 4 = 48u
            double one = 48 * U;
            for (long e = 0; e < 4L * batch * hidden; e++)
                assertEquals(
                        Weights.get(scalar.dz(), e),
                        Weights.get(jvm.dz(), e),
                        one,
                        what + ": dz " + e);
            for (long e = 0; e < (long) batch * hidden; e++)
                assertEquals(
                        Weights.get(scalar.dc(), e),
                        Weights.get(jvm.dc(), e),
                        one,
                        what + ": dc " + e);
            // the bias gradient sums batch + 1 terms of at most 2: their errors plus the sum's
            double terms = batch + 1, bias = terms * one + 2 * terms * terms * U;
            for (long e = 0; e < 4L * hidden; e++)
                assertEquals(
                        Weights.get(scalar.dBias(), e),
                        Weights.get(jvm.dBias(), e),
                        bias,
                        what + ": dBias " + e);
        }
    }

    @Property(tries = 100)
    void cellBackwardEqualsFiniteDifferences(
            @ForAll @IntRange(min = 1, max = 9) int hidden,
            @ForAll @IntRange(min = 1, max = 4) int batch,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = batch * hidden;
            float[] z = values(4 * n, 3, r), c = values(n, 2, r);
            Cell cell = Cell.random(hidden, batch, z, c, seed, arena);
            double[] dh = doubles(cell.dh(), n), dcNext = doubles(cell.dc(), n);
            double[] biasStart = doubles(cell.dBias(), 4 * hidden);
            cell.backward(ScalarBackward.INSTANCE, hidden, batch);
            double[] zd = new double[z.length], cd = new double[c.length];
            for (int e = 0; e < z.length; e++) zd[e] = z[e];
            for (int e = 0; e < c.length; e++) cd[e] = c[e];
            double step = 1e-4;
            for (int e = 0; e < z.length; e++) {
                double fd = difference(zd, e, step, () -> loss(zd, cd, dh, dcNext, hidden, batch));
                double got = Weights.get(cell.dz(), e);
                assertEquals(fd, got, 1e-6 + 1e-5 * Math.abs(fd), "dz " + e);
            }
            for (int e = 0; e < c.length; e++) {
                double fd = difference(cd, e, step, () -> loss(zd, cd, dh, dcNext, hidden, batch));
                double got = Weights.get(cell.dc(), e);
                assertEquals(fd, got, 1e-6 + 1e-5 * Math.abs(fd), "dc_prev " + e);
            }
            // z + bias enters as one sum: dL/dbias is dz summed over the batch, added in
            for (int e = 0; e < 4 * hidden; e++) {
                double want = biasStart[e];
                for (int b = 0; b < batch; b++) want += Weights.get(cell.dz(), 4L * b * hidden + e);
                // a float sum of batch + 1 terms of at most 2
                assertEquals(
                        want,
                        Weights.get(cell.dBias(), e),
                        2 * (batch + 1) * (batch + 1) * U,
                        "dBias " + e);
            }
        }
    }

    @Property(tries = 30)
    void trainingForwardIsTheInferenceStepBitForBit(
            @ForAll("batches") int batch,
            @ForAll @IntRange(min = 1, max = 5) int frames,
            @ForAll long seed) {
        int n = 11, h = 7, classes = 3;
        try (Arena arena = Arena.ofConfined()) {
            TrainableLstm model =
                    TrainableLstm.initial(new LayerFormat.Dense(n, h), classes, seed, arena);
            SplittableRandom r = new SplittableRandom(seed);
            BpttGradientProperties.randomise(model, r);
            MemorySegment clips = Weights.copyOf(arena, values(batch * frames * n, 1, r));
            Kernels k = KernelProvider.kernels();
            Bptt bptt = new Bptt(model, batch, frames, arena);
            bptt.forward(clips, new int[batch], 1.0, k);

            Lstm lstm = model.export(arena);
            MemorySegment out = Weights.floats(arena, (long) batch * frames * h);
            lstm.run(
                    clips,
                    frames,
                    lstm.newState(batch, arena),
                    lstm.newWorkspace(batch, arena),
                    out);
            for (int t = 1; t <= frames; t++)
                for (int b = 0; b < batch; b++)
                    for (int u = 0; u < h; u++)
                        assertEquals(
                                Weights.get(out, ((long) b * frames + t - 1) * h + u),
                                bptt.hiddenState(t).getAtIndex(F, (long) b * h + u),
                                "h_" + t + " of row " + b + ", unit " + u + " (" + k.name() + ")");
        }
    }

    @Provide
    Arbitrary<Integer> batches() {
        return Arbitraries.of(1, 2, 3, 17);
    }

    /**
     * {@code L = sum dh . h_t + sum dcNext . c_t} of the cell's definition in double, with zero
     * bias: the gradients a cell receives from later steps, contracted with its outputs.
     */
    private static double loss(
            double[] z, double[] c, double[] dh, double[] dcNext, int hidden, int batch) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            for (int u = 0; u < hidden; u++) {
                int zr = 4 * b * hidden, s = b * hidden + u;
                double ig = sigmoid(z[zr + u]), fg = sigmoid(z[zr + hidden + u]);
                double gg = Math.tanh(z[zr + 2 * hidden + u]), og = sigmoid(z[zr + 3 * hidden + u]);
                double cNew = fg * c[s] + ig * gg;
                sum += dh[s] * og * Math.tanh(cNew) + dcNext[s] * cNew;
            }
        }
        return sum;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double difference(
            double[] v, int e, double step, java.util.function.DoubleSupplier f) {
        double keep = v[e];
        v[e] = keep + step;
        double up = f.getAsDouble();
        v[e] = keep - step;
        double down = f.getAsDouble();
        v[e] = keep;
        return (up - down) / (2 * step);
    }

    private static float[] values(int n, double scale, SplittableRandom r) {
        float[] v = new float[n];
        for (int e = 0; e < n; e++) v[e] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    private static MemorySegment uniform(int n, SplittableRandom r, Arena arena) {
        return Weights.copyOf(arena, values(n, 1, r));
    }

    private static MemorySegment copyOf(MemorySegment s, Arena arena) {
        MemorySegment c = Weights.floats(arena, s.byteSize() / Float.BYTES);
        MemorySegment.copy(s, 0, c, 0, s.byteSize());
        return c;
    }

    private static double[] doubles(MemorySegment s, int n) {
        double[] d = new double[n];
        for (int e = 0; e < n; e++) d[e] = s.getAtIndex(F, e);
        return d;
    }
}
