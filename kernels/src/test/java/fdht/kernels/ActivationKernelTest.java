package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The active kernels' activations against the double-precision scalar twins; the bounds are the
 * ones VectorActivations documents.
 */
class ActivationKernelTest {
    static final double SIGMOID_MAX_ABS = 2e-7;
    static final double TANH_MAX_ABS = 4e-7;

    @Test
    void activationErrorStaysWithinTheDocumentedBound() {
        int n = 400_001;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = Weights.floats(arena, n), out = Weights.floats(arena, n);
            for (int k = 0; k < n; k++) Weights.set(in, k, -20f + 40f * k / (n - 1));
            Kernels kv = KernelProvider.kernels();
            kv.sigmoid(in, 0, out, 0, n);
            double worst = 0;
            for (int k = 0; k < n; k++)
                worst =
                        Math.max(
                                worst,
                                Math.abs(
                                        Weights.get(out, k)
                                                - 1.0
                                                        / (1.0
                                                                + Math.exp(
                                                                        -(double)
                                                                                Weights.get(
                                                                                        in, k)))));
            assertTrue(worst <= SIGMOID_MAX_ABS, kv.name() + " sigmoid max error " + worst);
            kv.tanh(in, 0, out, 0, n);
            worst = 0;
            for (int k = 0; k < n; k++)
                worst =
                        Math.max(
                                worst,
                                Math.abs(Weights.get(out, k) - Math.tanh(Weights.get(in, k))));
            assertTrue(worst <= TANH_MAX_ABS, kv.name() + " tanh max error " + worst);
        }
    }

    @Test
    void specialValuesSaturate() {
        float[] v = {
            Float.NEGATIVE_INFINITY,
            -1e30f,
            -100f,
            100f,
            1e30f,
            Float.POSITIVE_INFINITY,
            Float.NaN,
            0f,
            -0f
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = Weights.copyOf(arena, v),
                    s = Weights.floats(arena, v.length),
                    t = Weights.floats(arena, v.length);
            Kernels k = KernelProvider.kernels();
            k.sigmoid(in, 0, s, 0, v.length);
            k.tanh(in, 0, t, 0, v.length);
            float[] es = {0, 0, 0, 1, 1, 1, Float.NaN, 0.5f, 0.5f};
            float[] et = {-1, -1, -1, 1, 1, 1, Float.NaN, 0, 0};
            for (int i = 0; i < v.length; i++) {
                assertEquals(es[i], Weights.get(s, i), 1e-30, "sigmoid(" + v[i] + ")");
                assertEquals(et[i], Weights.get(t, i), 1e-30, "tanh(" + v[i] + ")");
            }
        }
    }

    @Test
    void tailsAndOffsetsAndLstmPointwiseMatchTheScalarTwin() {
        Kernels k = KernelProvider.kernels(), s = KernelProvider.scalar();
        SplittableRandom r = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 1; n <= 40; n++) {
                MemorySegment in = Weights.floats(arena, n + 3),
                        a = Weights.floats(arena, n + 3),
                        b = Weights.floats(arena, n + 3);
                for (int e = 0; e < n + 3; e++)
                    Weights.set(in, e, (float) (r.nextDouble() * 16 - 8));
                k.sigmoid(in, 3, a, 1, n);
                s.sigmoid(in, 3, b, 1, n);
                for (int e = 0; e < n + 3; e++)
                    assertEquals(
                            Weights.get(b, e),
                            Weights.get(a, e),
                            SIGMOID_MAX_ABS,
                            "sigmoid n=" + n + " at " + e);
                MemorySegment.copy(
                        b,
                        0,
                        a,
                        0,
                        b.byteSize()); // same inputs: a lane-wise add must then agree exactly
                k.add(in, 2, a, 1, n);
                s.add(in, 2, b, 1, n);
                for (int e = 0; e < n + 3; e++)
                    assertEquals(Weights.get(b, e), Weights.get(a, e), "add n=" + n + " at " + e);
            }
            for (int batch = 1; batch <= 5; batch++) {
                for (int hidden : new int[] {1, 3, 15, 16, 17, 70}) {
                    int zn = 4 * hidden * batch;
                    MemorySegment z = Weights.floats(arena, zn + 2),
                            z2 = Weights.floats(arena, zn + 2),
                            bias = Weights.floats(arena, 4 * hidden);
                    MemorySegment c1 = Weights.floats(arena, batch * hidden),
                            c2 = Weights.floats(arena, batch * hidden);
                    MemorySegment h1 = Weights.floats(arena, batch * hidden),
                            h2 = Weights.floats(arena, batch * hidden);
                    for (int e = 0; e < zn + 2; e++)
                        Weights.set(z, e, (float) (r.nextDouble() * 8 - 4));
                    for (int e = 0; e < 4 * hidden; e++)
                        Weights.set(bias, e, (float) (r.nextDouble() - 0.5));
                    for (int e = 0; e < batch * hidden; e++) {
                        float c = (float) (r.nextDouble() * 4 - 2);
                        Weights.set(c1, e, c);
                        Weights.set(c2, e, c);
                    }
                    MemorySegment.copy(z, 0, z2, 0, z.byteSize()); // each kernel gets its own
                    float[] pre = Weights.toArray(z, 0, zn + 2);
                    k.lstmPointwise(z, 2, bias, c1, h1, hidden, batch);
                    s.lstmPointwise(z2, 2, bias, c2, h2, hidden, batch);
                    // both leave the activated gates in z (training's backward reads them)
                    for (int e = 0; e < zn; e++) {
                        int gate = e / hidden % 4;
                        float x =
                                pre[e + 2]
                                        + Weights.get(bias, e % (4 * hidden)); // as the kernels add
                        double want = gate == 2 ? Math.tanh(x) : 1 / (1 + Math.exp(-x));
                        String where = " at " + e + " (batch " + batch + ", H " + hidden + ")";
                        assertEquals(want, Weights.get(z2, e + 2), 1e-7, "scalar gate" + where);
                        assertEquals(want, Weights.get(z, e + 2), TANH_MAX_ABS, "gate" + where);
                    }
                    // c = f*c + i*g with |c| <= 2: each gate error <= 4e-7 enters with a factor <=
                    // 2, plus rounding
                    for (int e = 0; e < batch * hidden; e++) {
                        assertEquals(
                                Weights.get(c2, e),
                                Weights.get(c1, e),
                                4e-6,
                                "c at " + e + " (batch " + batch + ", H " + hidden + ")");
                        assertEquals(
                                Weights.get(h2, e),
                                Weights.get(h1, e),
                                4e-6,
                                "h at " + e + " (batch " + batch + ", H " + hidden + ")");
                    }
                }
            }
        }
    }
}
