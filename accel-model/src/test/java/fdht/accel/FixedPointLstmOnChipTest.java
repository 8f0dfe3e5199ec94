package fdht.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.FixedPoint;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.FixedPointLstm;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.PlanFactors;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code fdht eval --fixed-point} scores with the accelerator's own arithmetic: the fixed-point
 * LSTM whose plans run through {@link FunctionalModel} (the banked memories, every layout) gives
 * the same logits, bit for bit, as the one whose plans run through {@link FixedPoint#run}, for a
 * small 2-layer bidirectional model of every planned format, at 8, 12 and 16-bit words (8 bits
 * saturate often, so the saturating paths are compared too).
 */
class FixedPointLstmOnChipTest {
    static final int N = 13, H = 3, FRAMES = 3, CLIPS = 2, CLASSES = 4;

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    static Lstm layer(String key, int input, long seed, Arena arena) {
        var f =
                (LayerFormat.Planned)
                        LayerFormat.parse(
                                key, RankSpec.parse("3"), input, H, GateFactors.defaults(3));
        PlanFactors w = PlanFactors.random(f.matrix(), seed, arena);
        MemorySegment wh =
                f.coversHidden() ? null : Weights.copyOf(arena, random(4 * H * H, seed + 1, 0.6));
        return Lstm.planned(f, w, wh, random(4 * H, seed + 2, 0.3), arena);
    }

    @Test
    void theChipsFunctionalModelScoresAsTheFixedPointKernelBitForBit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment clips = Weights.copyOf(arena, random(CLIPS * FRAMES * N, 9, 1.5));
            for (String key : LayerFormat.PLANNED_KEYS) {
                Lstm[][] cells = new Lstm[2][2];
                for (int d = 0; d < 2; d++) {
                    cells[0][d] = layer(key, N, 10 + d, arena);
                    cells[1][d] = layer(key, 2 * H, 20 + d, arena);
                }
                LstmStack stack =
                        LstmStack.of(
                                cells,
                                new DenseHead(
                                        random(CLASSES * 2 * H, 30, 1),
                                        random(CLASSES, 31, 1),
                                        CLASSES,
                                        2 * H,
                                        arena));
                for (int bits : new int[] {8, 12, 16}) {
                    FixedPoint fp = new FixedPoint(bits, bits / 2);
                    FixedPointLstm kernel = FixedPointLstm.of(stack, fp, arena);
                    for (MemoryLayout layout : MemoryLayout.values()) {
                        Provenance test = new Provenance(Provenance.Kind.ASSUMED, "test");
                        AcceleratorConfig cfg =
                                AcceleratorConfig.fdht()
                                        .with(layout, 16, 16)
                                        .with("fraction_bits", Integer.toString(bits / 2), test)
                                        .with("bits", Integer.toString(bits), test);
                        FixedPointLstm chip =
                                FixedPointLstm.of(
                                        stack,
                                        fp,
                                        (plan, factors, x) ->
                                                FunctionalModel.run(cfg, plan, factors, x),
                                        arena);
                        for (int b = 0; b < CLIPS; b++) {
                            long at = (long) b * FRAMES * N;
                            assertArrayEquals(
                                    kernel.logits(clips, at, FRAMES),
                                    chip.logits(clips, at, FRAMES),
                                    key + ", " + bits + " bits, " + layout + ", clip " + b);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sixteenBitWordsAreTheAcceleratorConfigsOwn() {
        // eval --fixed-point 16 defaults to half the word for the fraction: the config's Q8.8
        AcceleratorConfig cfg = AcceleratorConfig.fdht();
        assertEquals(16, cfg.bits());
        assertEquals(cfg.bits() / 2, cfg.fractionBits());
    }
}
