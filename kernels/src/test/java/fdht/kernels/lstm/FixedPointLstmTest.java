package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.FixedPoint;
import fdht.kernels.KernelProvider;
import fdht.kernels.format.LayerFormat;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixed-point LSTM computes what the float LSTM computes, to the resolution of its word: at a
 * wide word (Q10.20) its logits equal the scalar float stack's within a bound scaled by the step
 * and the sizes of the sums, for every format, one layer and a 2-layer bidirectional stack; at 16
 * bits (Q8.8) within a bound scaled by that step; a growing cell state saturates instead of
 * wrapping.
 */
class FixedPointLstmTest {
    static final int N = PlannedFormatsTest.N, H = PlannedFormatsTest.H;
    static final int FRAMES = PlannedFormatsTest.FRAMES, CLIPS = 3;

    static Stream<String> keys() {
        return LayerFormat.KEYS.stream();
    }

    /** A layer of {@code key} (dense: the dense twin of an FDHT layer). */
    static Lstm layer(String key, int input, long seed, Arena arena) {
        return key.equals(LayerFormat.Dense.KEY)
                ? PlannedFormatsTest.denseTwin(
                        PlannedFormatsTest.layer(LayerFormat.Fdht.KEY, input, seed, arena), arena)
                : PlannedFormatsTest.layer(key, input, seed, arena);
    }

    /** A 2-layer bidirectional stack of {@code key} layers with a 4-class head. */
    static LstmStack stack(String key, Arena arena) {
        Lstm[][] cells = new Lstm[2][2];
        for (int d = 0; d < 2; d++) {
            cells[0][d] = layer(key, N, 30 + d, arena);
            cells[1][d] = layer(key, 2 * H, 40 + d, arena);
        }
        return LstmStack.of(cells, PlannedFormatsTest.head(arena));
    }

    /** The largest |logit difference| of {@code fixed} from the scalar float {@code stack}. */
    static double worst(LstmStack stack, FixedPointLstm fixed, float[] clip, Arena arena) {
        LstmStack scalar = stack.withKernels(KernelProvider.scalar());
        int classes = stack.headClasses();
        MemorySegment logits = Weights.floats(arena, (long) CLIPS * classes);
        MemorySegment clips = Weights.copyOf(arena, clip);
        scalar.run(
                clips,
                FRAMES,
                scalar.newWorkspace(CLIPS, FRAMES, arena),
                Weights.floats(arena, (long) CLIPS * FRAMES * stack.outputSize()),
                logits);
        double worst = 0;
        for (int b = 0; b < CLIPS; b++) {
            float[] y = fixed.logits(clips, (long) b * FRAMES * stack.inputSize(), FRAMES);
            for (int k = 0; k < classes; k++)
                worst =
                        Math.max(
                                worst,
                                Math.abs(y[k] - Weights.get(logits, (long) b * classes + k)));
        }
        return worst;
    }

    /**
     * A worst-case bound on the logits' error at word step {@code step}: a gate sum of a layer's at
     * most {@code N + 2H} inputs (each of size at most 1) errs by at most half a step per input
     * (its weight's rounding) plus half a step per rescaling (at most 4: plan stages, the bias);
     * the cell passes that on undamped at worst (gate slopes at most 1, {@code f <= 1} keeps {@code
     * c}'s error), so errors add over the frames and the two layers; the head sums {@code 2H}
     * products with weights below 1. Measured errors are a step or two.
     */
    static double bound(double step) {
        return step * ((N + 2 * H) / 2.0 + 4) * FRAMES * 2 * (2 * H);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void atAWideWordEveryFormatComputesTheFloatLstm(String key) {
        try (Arena arena = Arena.ofConfined()) {
            FixedPoint wide = new FixedPoint(30, 20);
            float[] clip = LstmModelFileTest.random(CLIPS * FRAMES * N, 12, 1);
            LstmStack one =
                    LstmStack.of(
                            new Lstm[][] {{layer(key, N, 11, arena)}},
                            new DenseHead(
                                    LstmModelFileTest.random(4 * H, 50, 1),
                                    LstmModelFileTest.random(4, 51, 1),
                                    4,
                                    H,
                                    arena));
            double e1 = worst(one, FixedPointLstm.of(one, wide, arena), clip, arena);
            assertTrue(e1 <= bound(wide.step()), key + ": " + e1 + " above " + bound(wide.step()));
            LstmStack two = stack(key, arena);
            double e2 = worst(two, FixedPointLstm.of(two, wide, arena), clip, arena);
            assertTrue(e2 <= bound(wide.step()), key + " stack: " + e2);
            // and 16-bit words (Q8.8) stay within the same bound at their own step
            FixedPoint q88 = new FixedPoint(16, 8);
            double e16 = worst(two, FixedPointLstm.of(two, q88, arena), clip, arena);
            assertTrue(e16 <= bound(q88.step()), key + " at Q8.8: " + e16);
            assertTrue(e16 > e2, "a coarser word errs more");
        }
    }

    @Test
    void aGrowingCellStateSaturatesInsteadOfWrapping() {
        // every gate fully open (bias 20): c grows by g = 1 a frame past the word's range of 8
        try (Arena arena = Arena.ofConfined()) {
            float[] bias = new float[4 * H];
            java.util.Arrays.fill(bias, 20f);
            Lstm lstm = Lstm.dense(Weights.floats(arena, 4L * H * (N + H)), N, H, bias, arena);
            float[] eye = new float[H * H];
            for (int u = 0; u < H; u++) eye[u * H + u] = 1;
            LstmStack s =
                    LstmStack.of(
                            new Lstm[][] {{lstm}}, new DenseHead(eye, new float[H], H, H, arena));
            FixedPoint q44 = new FixedPoint(8, 4);
            FixedPointLstm f = FixedPointLstm.of(s, q44, arena);
            int frames = 20;
            float[] y = f.logits(Weights.floats(arena, (long) frames * N), 0, frames);
            for (float v : y) assertEquals(1.0, v, 1e-9, "h = o tanh(c) with c saturated at +7.94");
        }
    }

    @Test
    void aModelWithoutAHeadIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            LstmStack bare = LstmStack.single(layer("fdht", N, 1, arena));
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> FixedPointLstm.of(bare, new FixedPoint(16, 8), arena));
            assertTrue(e.getMessage().contains("no head"), e.getMessage());
        }
    }
}
