package fdht.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Weights;
import fdht.train.lstm.Parameter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adam, clipping and the schedule against their definitions. */
class OptimiserTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void adamFirstStepMovesEachWeightByTheRateAgainstItsGradientSign() {
        try (Arena arena = Arena.ofConfined()) {
            Parameter p = Parameter.zeros("w", new long[] {3}, arena);
            p.set(new float[] {1, 2, 3});
            MemorySegment g = Weights.copyOf(arena, new float[] {0.5f, -4f, 0f});
            Adam adam = Adam.of(List.of(p), 0, arena);
            adam.step(new MemorySegment[] {g}, 0.1);
            // bias-corrected m/sqrt(v) = sign(g) on the first step
            assertEquals(0.9, p.value().getAtIndex(F, 0), 1e-6);
            assertEquals(2.1, p.value().getAtIndex(F, 1), 1e-6);
            assertEquals(3.0, p.value().getAtIndex(F, 2), 1e-6);
        }
    }

    @Test
    void adamMinimisesAQuadraticAndDecaysOnlyWeights() {
        try (Arena arena = Arena.ofConfined()) {
            Parameter w = Parameter.zeros("w", new long[] {2}, arena),
                    b = Parameter.zeros("x.bias", new long[] {1}, arena);
            w.set(new float[] {5, -3});
            b.set(new float[] {4});
            Adam adam = Adam.of(List.of(w, b), 0.0, arena);
            MemorySegment gw = Weights.floats(arena, 2), gb = Weights.floats(arena, 1);
            for (int s = 0; s < 2000; s++) {
                // L = |w - (1, 2)|^2 + (b - 7)^2
                gw.setAtIndex(F, 0, 2 * (w.value().getAtIndex(F, 0) - 1));
                gw.setAtIndex(F, 1, 2 * (w.value().getAtIndex(F, 1) - 2));
                gb.setAtIndex(F, 0, 2 * (b.value().getAtIndex(F, 0) - 7));
                adam.step(new MemorySegment[] {gw, gb}, 0.05);
            }
            assertEquals(1, w.value().getAtIndex(F, 0), 1e-2);
            assertEquals(2, w.value().getAtIndex(F, 1), 1e-2);
            assertEquals(7, b.value().getAtIndex(F, 0), 1e-2);
            // with a zero gradient, decoupled decay shrinks weights by lr*wd per step and leaves
            // biases alone
            Adam decay = Adam.of(List.of(w, b), 0.5, arena);
            gw.fill((byte) 0);
            gb.fill((byte) 0);
            decay.step(new MemorySegment[] {gw, gb}, 0.1);
            assertEquals(1 * (1 - 0.05), w.value().getAtIndex(F, 0), 2e-2);
            assertEquals(7, b.value().getAtIndex(F, 0), 1e-2);
        }
    }

    @Test
    void clippingScalesToTheGlobalNormOnlyWhenLarger() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Weights.copyOf(arena, new float[] {3}),
                    b = Weights.copyOf(arena, new float[] {0, 4});
            int[] sizes = {1, 2};
            assertEquals(5, GradientClipping.clip(new MemorySegment[] {a, b}, sizes, 10), 1e-9);
            assertEquals(3, a.getAtIndex(F, 0));
            assertEquals(5, GradientClipping.clip(new MemorySegment[] {a, b}, sizes, 1), 1e-9);
            assertEquals(0.6, a.getAtIndex(F, 0), 1e-6);
            assertEquals(0.8, b.getAtIndex(F, 1), 1e-6);
            b.setAtIndex(F, 0, Float.NaN);
            assertThrows(
                    IllegalStateException.class,
                    () -> GradientClipping.clip(new MemorySegment[] {a, b}, sizes, 1));
        }
    }

    @Test
    void scheduleWarmsUpLinearlyThenFollowsTheCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1.0, 10, 110, 0.0);
        assertEquals(0.1, s.at(0), 1e-12);
        assertEquals(1.0, s.at(9), 1e-12);
        assertEquals(1.0, s.at(10), 1e-12);
        assertEquals(0.5, s.at(60), 1e-12);
        assertEquals(0.0, s.at(110), 1e-12);
        for (long t = 10; t < 110; t++) assertTrue(s.at(t + 1) <= s.at(t));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 1, 1, 0));
    }
}
