package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.KernelProvider;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Non-finite inputs, threads sharing one model, and models used after their arena closed. */
class RobustnessTest {
    static final int INPUT = 90, HIDDEN = 4, FRAMES = 5;

    static Lstm model(Arena arena) {
        HtMatrix ht =
                HtMatrix.random(
                        HtFormat.uniform(new int[] {4, 2, 2}, new int[] {4, 5, 5}, 3), 11, arena);
        return Lstm.fdht(ht, INPUT, LstmModelFileTest.random(4 * HIDDEN, 12, 0.2), arena);
    }

    @Test
    void nonFiniteInputIsRejectedWithFrameAndIndexOrPropagatedOnRequest() {
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm = model(arena);
            float[] clip = LstmModelFileTest.random(2 * FRAMES * INPUT, 3, 1);
            clip[(1 * FRAMES + 3) * INPUT + 17] =
                    Float.POSITIVE_INFINITY; // batch row 1, frame 3, index 17
            MemorySegment c = Weights.copyOf(arena, clip);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    lstm.run(
                                            c,
                                            FRAMES,
                                            lstm.newState(2, arena),
                                            lstm.newWorkspace(2, arena),
                                            null));
            assertTrue(
                    e.getMessage().contains("frame 3")
                            && e.getMessage().contains("batch row 1")
                            && e.getMessage().contains("index 17"),
                    e.getMessage());
            Lstm lenient = lstm.withNonFinite(Lstm.NonFinite.PROPAGATE);
            LstmState s = lenient.newState(2, arena);
            lenient.run(c, FRAMES, s, lenient.newWorkspace(2, arena), null);
            float[] h = s.hToArray();
            boolean rowOneBroken = false;
            for (int u = 0; u < HIDDEN; u++) rowOneBroken |= !Float.isFinite(h[HIDDEN + u]);
            assertTrue(rowOneBroken, "the infinity should have reached row 1's state");
            for (int u = 0; u < HIDDEN; u++)
                assertTrue(Float.isFinite(h[u]), "row 0 is independent of row 1");
        }
    }

    @Test
    void firstNonFiniteMatchesTheScalarTwin() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 1; n <= 70; n++) {
                for (int at : new int[] {0, n / 2, n - 1}) {
                    float[] v = LstmModelFileTest.random(n + 3, n, 1);
                    v[3 + at] = at % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
                    MemorySegment s = Weights.copyOf(arena, v);
                    assertEquals(at, KernelProvider.kernels().firstNonFinite(s, 3, n), "n " + n);
                    assertEquals(at, KernelProvider.scalar().firstNonFinite(s, 3, n), "n " + n);
                    assertEquals(
                            -1,
                            KernelProvider.kernels().firstNonFinite(s, 3, at),
                            "n " + n + " before the bad value");
                }
            }
        }
    }

    @Test
    void threadsSharingOneModelGetTheSingleThreadedResultBitForBit() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = model(arena);
            float[] clip = LstmModelFileTest.random(FRAMES * INPUT, 5, 1);
            MemorySegment c = Weights.copyOf(arena, clip);
            float[] expected = LstmModelFileTest.hidden(lstm, clip, FRAMES, 1, arena);
            for (int threads = 2; threads <= 8; threads *= 2) {
                try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                    List<Future<float[]>> results = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        results.add(
                                pool.submit(
                                        () -> {
                                            float[] last = null;
                                            try (Arena mine = Arena.ofConfined()) {
                                                for (int rep = 0; rep < 50; rep++) {
                                                    MemorySegment out =
                                                            Weights.floats(
                                                                    mine, (long) FRAMES * HIDDEN);
                                                    lstm.run(
                                                            c,
                                                            FRAMES,
                                                            lstm.newState(1, mine),
                                                            lstm.newWorkspace(1, mine),
                                                            out);
                                                    last = Weights.toArray(out, 0, FRAMES * HIDDEN);
                                                }
                                            }
                                            return last;
                                        }));
                    }
                    for (Future<float[]> f : results)
                        assertArrayEquals(expected, f.get(), threads + " threads");
                }
            }
        }
    }

    @Test
    void aModelOrWorkspaceUsedAfterItsArenaClosedThrowsIllegalState() {
        Arena models = Arena.ofConfined();
        Lstm lstm = model(models);
        try (Arena work = Arena.ofConfined()) {
            LstmState state = lstm.newState(1, work);
            LstmWorkspace ws = lstm.newWorkspace(1, work);
            MemorySegment frame = Weights.floats(work, INPUT);
            lstm.step(frame, 0, INPUT, state, ws);
            models.close();
            assertThrows(IllegalStateException.class, () -> lstm.step(frame, 0, INPUT, state, ws));
        }
        try (Arena a = Arena.ofConfined()) {
            Lstm fresh = model(a);
            Arena scratch = Arena.ofConfined();
            LstmState state = fresh.newState(1, scratch);
            LstmWorkspace ws = fresh.newWorkspace(1, scratch);
            MemorySegment frame = Weights.floats(a, INPUT);
            scratch.close();
            assertThrows(IllegalStateException.class, () -> fresh.step(frame, 0, INPUT, state, ws));
        }
    }
}
