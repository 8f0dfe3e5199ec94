package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/**
 * The JVM's Adam kernel (the Vector API one in the vector runs) gives the scalar twin's bits: both
 * are lane-wise, in the same order, at every width; ranges that start and end off a vector's
 * boundary, gradients scaled or not, moments of every size.
 */
class AdamKernelProperties {
    @Property(tries = 200)
    void theAdamKernelGivesItsScalarTwinsBits(
            @ForAll @IntRange(min = 0, max = 80) int from,
            @ForAll @IntRange(min = 0, max = 300) int length,
            @ForAll @IntRange(min = 1, max = 5000) int step,
            @ForAll @DoubleRange(min = 1e-5, max = 0.1) @Scale(8) double rate,
            @ForAll @DoubleRange(min = 0, max = 0.1) @Scale(8) double weightDecay,
            @ForAll boolean clipped,
            @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double b1 = 0.9, b2 = 0.999;
        AdamUpdate u =
                new AdamUpdate(
                        b1,
                        b2,
                        1 - Math.pow(b1, step),
                        1 - Math.pow(b2, step),
                        rate,
                        1e-8,
                        weightDecay,
                        clipped ? (float) r.nextDouble(0.01, 1) : 1f);
        int n = from + length + 7;
        try (Arena arena = Arena.ofConfined()) {
            float[] w = values(n, r, 1), g = values(n, r, 10), m = values(n, r, 1);
            float[] v = values(n, r, 1);
            for (int e = 0; e < n; e++) v[e] = v[e] * v[e] * (float) Math.pow(10, -r.nextInt(8));
            float[][] want = run(ScalarBackward.INSTANCE, u, arena, w, g, m, v, from, length);
            float[][] got = run(BackwardProvider.kernels(), u, arena, w, g, m, v, from, length);
            String what = BackwardProvider.kernels().name() + " elements " + from + "..";
            assertArrayEquals(want[0], got[0], what + ": weights");
            assertArrayEquals(want[1], got[1], what + ": first moment");
            assertArrayEquals(want[2], got[2], what + ": second moment");
            assertArrayEquals(g, got[3], what + ": the gradient is only read");
        }
    }

    private static float[][] run(
            BackwardKernels k,
            AdamUpdate u,
            Arena arena,
            float[] w,
            float[] g,
            float[] m,
            float[] v,
            int from,
            int length) {
        MemorySegment ws = Weights.copyOf(arena, w), gs = Weights.copyOf(arena, g);
        MemorySegment ms = Weights.copyOf(arena, m), vs = Weights.copyOf(arena, v);
        k.adam(u, ws, gs, ms, vs, from, from + length);
        return new float[][] {
            Weights.toArray(ws, 0, w.length),
            Weights.toArray(ms, 0, w.length),
            Weights.toArray(vs, 0, w.length),
            Weights.toArray(gs, 0, w.length)
        };
    }

    private static float[] values(int n, SplittableRandom r, double scale) {
        float[] a = new float[n];
        for (int e = 0; e < n; e++) a[e] = (float) (scale * (2 * r.nextDouble() - 1));
        return a;
    }
}
