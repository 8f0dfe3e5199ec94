package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.Allocations;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * A step allocates nothing on the heap once compiled, counted by {@link Allocations} over rounds of
 * steps: a step that allocated anything would show it in every round.
 */
class StepAllocationTest {
    static final int WARM_UP = 20_000, STEPS = 2_000;

    /** Steps in one clip through {@link #stack}: 3 frames x 2 layers x 2 directions. */
    static final int CLIP_ROUNDS = 12;

    @Test
    void anFdhtStepAllocatesNothing() {
        for (int batch :
                new int[] {
                    1, 3, 2 * fdht.kernels.KernelProvider.kernels().lanes() + 1
                }) { // the last: lane-layout chunks and a row
            try (Arena arena = Arena.ofConfined()) {
                Lstm lstm = RobustnessTest.model(arena);
                MemorySegment frames =
                        Weights.copyOf(
                                arena,
                                LstmModelFileTest.random(batch * RobustnessTest.INPUT, 3, 1));
                LstmState state = lstm.newState(batch, arena);
                LstmWorkspace work = lstm.newWorkspace(batch, arena);
                assertEquals(
                        0,
                        leastAllocated(
                                () -> lstm.step(frames, 0, RobustnessTest.INPUT, state, work)),
                        "bytes per round of FDHT steps, batch " + batch);
            }
        }
    }

    /**
     * H = 36 (the model above has H = 4, under one vector): the cell's whole-vector kernels and its
     * scalar tail (36 % L != 0 at 256 and 512 bits), and a 4H = 144 non-finite scan over whole
     * vectors.
     */
    @Test
    void aStepWithWholeVectorCellKernelsAllocatesNothing() {
        int hidden = 36;
        for (int batch : new int[] {1, 2}) {
            try (Arena arena = Arena.ofConfined()) {
                Lstm lstm =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(
                                                new int[] {4, 6, 6}, new int[] {4, 5, 7}, 3),
                                        13,
                                        arena),
                                RobustnessTest.INPUT,
                                LstmModelFileTest.random(4 * hidden, 14, 0.2),
                                arena);
                MemorySegment frames =
                        Weights.copyOf(
                                arena,
                                LstmModelFileTest.random(batch * RobustnessTest.INPUT, 15, 1));
                LstmState state = lstm.newState(batch, arena);
                LstmWorkspace work = lstm.newWorkspace(batch, arena);
                assertEquals(
                        0,
                        leastAllocated(
                                () -> lstm.step(frames, 0, RobustnessTest.INPUT, state, work)),
                        "bytes per round of FDHT steps, H " + hidden + ", batch " + batch);
            }
        }
    }

    @Test
    void aParallelStepAllocatesNothingOnTheCallingThread() {
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = RobustnessTest.model(arena);
            MemorySegment frames =
                    Weights.copyOf(arena, LstmModelFileTest.random(4 * RobustnessTest.INPUT, 4, 1));
            LstmState state = lstm.newState(4, arena);
            try (ParallelLstm par = new ParallelLstm(lstm, 4, 2)) {
                assertEquals(
                        0,
                        leastAllocated(() -> par.step(frames, 0, RobustnessTest.INPUT, state)),
                        "bytes per round of 2-thread steps");
            }
        }
    }

    /**
     * Two bidirectional FDHT layers (each its own HT tensor) over the {@link RobustnessTest} input.
     */
    static LstmStack stack(Arena arena) {
        Lstm[][] cells = new Lstm[2][2];
        for (int d = 0; d < 2; d++) {
            cells[0][d] =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2, 2}, new int[] {4, 5, 5}, 3),
                                    20 + d,
                                    arena),
                            RobustnessTest.INPUT,
                            LstmModelFileTest.random(4 * RobustnessTest.HIDDEN, 30 + d, 0.2),
                            arena);
            cells[1][d] =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2, 2}, new int[] {2, 2, 3}, 2),
                                    40 + d,
                                    arena),
                            2 * RobustnessTest.HIDDEN,
                            LstmModelFileTest.random(4 * RobustnessTest.HIDDEN, 50 + d, 0.2),
                            arena);
        }
        return LstmStack.of(
                cells,
                new DenseHead(
                        LstmModelFileTest.random(3 * 2 * RobustnessTest.HIDDEN, 60, 1),
                        new float[3],
                        3,
                        2 * RobustnessTest.HIDDEN,
                        arena));
    }

    @Test
    void aClipThroughABidirectionalStackAllocatesNothing() {
        int frames = 3;
        for (int batch : new int[] {1, 3}) {
            try (Arena arena = Arena.ofShared()) {
                LstmStack stack = stack(arena);
                MemorySegment clip =
                        Weights.copyOf(
                                arena,
                                LstmModelFileTest.random(
                                        batch * frames * RobustnessTest.INPUT, 3, 1));
                MemorySegment
                        out = Weights.floats(arena, (long) batch * frames * stack.outputSize()),
                        y = Weights.floats(arena, batch * 3L);
                LstmStack.Workspace ws = stack.newWorkspace(batch, frames, arena);
                assertEquals(
                        0,
                        leastAllocated(() -> stack.run(clip, frames, ws, out, y), CLIP_ROUNDS),
                        "bytes per round of stack clips, batch " + batch);
            }
        }
    }

    private static long leastAllocated(Runnable step) {
        return leastAllocated(step, 1);
    }

    /**
     * {@code stepsPerCall}: how many steps one call of {@code step} makes; warm-up and rounds are
     * scaled down by it.
     */
    private static long leastAllocated(Runnable step, int stepsPerCall) {
        return Allocations.leastPerRound(step, WARM_UP / stepsPerCall, STEPS / stepsPerCall, 0);
    }
}
