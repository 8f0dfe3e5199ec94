package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The batch-parallel runner computes exactly the single-threaded step, and is all-or-nothing on bad
 * input.
 */
class ParallelLstmTest {
    static final int INPUT = RobustnessTest.INPUT, HIDDEN = RobustnessTest.HIDDEN;

    @Test
    void everySplitOfTheBatchGivesTheSingleThreadedStateBitForBit() {
        for (int batch : new int[] {1, 2, 5, 16}) {
            for (int threads = 1; threads <= Math.min(3, batch); threads++) {
                try (Arena arena = Arena.ofShared()) {
                    Lstm lstm = RobustnessTest.model(arena);
                    MemorySegment clip =
                            Weights.copyOf(
                                    arena, LstmModelFileTest.random(4 * batch * INPUT, batch, 1));
                    LstmState expect = lstm.newState(batch, arena),
                            got = lstm.newState(batch, arena);
                    LstmWorkspace ws = lstm.newWorkspace(batch, arena);
                    try (ParallelLstm par = new ParallelLstm(lstm, batch, threads)) {
                        for (int t = 0; t < 4; t++) { // frames [b][t][N_x]: stride 4 N_x
                            lstm.step(clip, (long) t * INPUT, 4L * INPUT, expect, ws);
                            par.step(clip, (long) t * INPUT, 4L * INPUT, got);
                        }
                    }
                    // same kernels on the same rows: identical, not just close
                    assertArrayEquals(
                            expect.hToArray(),
                            got.hToArray(),
                            "h, batch " + batch + ", threads " + threads);
                    assertArrayEquals(
                            expect.cToArray(),
                            got.cToArray(),
                            "c, batch " + batch + ", threads " + threads);
                }
            }
        }
    }

    @Test
    void aBadRowInAnySliceRejectsTheStepNamingTheWholeBatchRowAndLeavesTheStateAlone() {
        try (Arena arena = Arena.ofShared();
                ParallelLstm par = new ParallelLstm(RobustnessTest.model(arena), 6, 3)) {
            Lstm lstm = RobustnessTest.model(arena);
            float[] frames = LstmModelFileTest.random(6 * INPUT, 9, 1);
            MemorySegment good = Weights.copyOf(arena, frames);
            LstmState state = lstm.newState(6, arena);
            par.step(good, 0, INPUT, state);
            float[] h = state.hToArray(), c = state.cToArray();
            frames[5 * INPUT + 33] = Float.NaN; // the last slice's last row
            MemorySegment bad = Weights.copyOf(arena, frames);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> par.step(bad, 0, INPUT, state));
            assertTrue(
                    e.getMessage().contains("batch row 5") && e.getMessage().contains("index 33"),
                    e.getMessage());
            assertArrayEquals(h, state.hToArray());
            assertArrayEquals(c, state.cToArray());
            par.step(good, 0, INPUT, state); // and it keeps working
        }
    }

    @Test
    void closeStopsTheWorkersAndLaterStepsFailClearly() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = RobustnessTest.model(arena);
            ParallelLstm par = new ParallelLstm(lstm, 4, 2);
            par.close();
            Thread.sleep(50);
            assertFalse(
                    Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().startsWith("fdht-lstm-") && t.isAlive()),
                    "workers still alive");
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () ->
                                    par.step(
                                            Weights.floats(arena, 4L * INPUT),
                                            0,
                                            INPUT,
                                            lstm.newState(4, arena)));
            assertTrue(e.getMessage().contains("closed"));
            assertThrows(IllegalArgumentException.class, () -> new ParallelLstm(lstm, 1, 2));
            try (ParallelLstm two = new ParallelLstm(lstm, 2, 2)) {
                assertEquals(2, two.threads());
            }
        }
    }

    /**
     * The runner owns its workspaces' arena, so a confined arena of the caller's cannot end in a
     * raw {@code WrongThreadException} on a worker: frames or a state the workers cannot read are
     * refused up front, saying what kind of arena they need, and {@link ParallelLstm#newState}
     * gives a state that works.
     */
    @Test
    void confinedFramesOrStateAreRefusedNamingTheArenaTheyNeed() {
        try (Arena confined = Arena.ofConfined();
                ParallelLstm par = new ParallelLstm(RobustnessTest.model(Arena.ofAuto()), 4, 2)) {
            Lstm lstm = RobustnessTest.model(confined);
            MemorySegment frames =
                    Weights.copyOf(confined, LstmModelFileTest.random(4 * INPUT, 2, 1));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> par.step(frames, 0, INPUT, par.newState()));
            assertTrue(
                    e.getMessage().contains("the frames are in an arena confined"), e.getMessage());
            MemorySegment shared =
                    Weights.copyOf(Arena.ofAuto(), LstmModelFileTest.random(4 * INPUT, 2, 1));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> par.step(shared, 0, INPUT, lstm.newState(4, confined)));
            assertTrue(e.getMessage().contains("ParallelLstm.newState"), e.getMessage());
            LstmState state = par.newState();
            par.step(shared, 0, INPUT, state);
            assertTrue(Float.isFinite(state.hToArray()[0]));
        }
    }
}
