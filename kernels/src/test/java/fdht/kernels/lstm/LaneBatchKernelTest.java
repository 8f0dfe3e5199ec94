package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.kernels.LaneLayout;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * A batch of at least one vector of rows runs in the lane layout (PlanScratch): packed by the
 * transposing kernel, contracted by the lane stage kernel, unpacked into z. Both kernels sum each
 * output in the same order with the same fused multiply-adds as the row kernels, so the step equals
 * the row-by-row step bit for bit.
 */
class LaneBatchKernelTest {
    @Test
    void theTransposingPackIsTheReferencePackAtAwkwardLengths() {
        var k = KernelProvider.kernels();
        int lanes = k.lanes();
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, lanes - 1, lanes, lanes + 1, 3 * lanes + 5, 1000}) {
                if (n < 1) continue;
                long stride = n + 7;
                MemorySegment src =
                        Weights.copyOf(
                                arena, LstmModelFileTest.random((int) (lanes * stride + 3), n, 1));
                MemorySegment got = Weights.floats(arena, (long) n * lanes),
                        want = Weights.floats(arena, (long) n * lanes);
                k.toLanes(src, 3, stride, n, got, 0);
                LaneLayout.toLanes(src, 3, stride, lanes, n, want, 0, lanes);
                for (long e = 0; e < (long) n * lanes; e++)
                    assertEquals(
                            Weights.get(want, e),
                            Weights.get(got, e),
                            0.0,
                            "n " + n + " element " + e);
            }
        }
    }

    /** A random FDHT-LSTM of LSTM-UCF's shapes (rank 4), so every kernel runs at full size. */
    static Lstm ucfShaped(Arena arena) {
        return Lstm.fdht(
                HtMatrix.random(
                        HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4),
                        2022,
                        arena),
                57_600,
                LstmModelFileTest.random(1024, 3, 0.2),
                arena);
    }

    @Test
    void aBatchOfWholeChunksAndLeftoverRowsStepsAsRowByRow() {
        int lanes = KernelProvider.kernels().lanes();
        int batch = 2 * lanes + 3;
        int input = 57_600;
        try (Arena arena = Arena.ofShared()) {
            // LSTM-UCF's shapes, so the transposing pack and every stage run at full size
            Lstm lstm = ucfShaped(arena);
            MemorySegment frames =
                    Weights.copyOf(arena, LstmModelFileTest.random(batch * input, 5, 1));
            LstmState all = lstm.newState(batch, arena);
            LstmWorkspace ws = lstm.newWorkspace(batch, arena);
            LstmState one = lstm.newState(1, arena);
            LstmWorkspace ws1 = lstm.newWorkspace(1, arena);
            float[][] rowsH = new float[batch][];
            for (int t = 0; t < 2; t++)
                lstm.step(frames, 0, input, all, ws); // twice: the second step reads a non-zero h
            for (int b = 0; b < batch; b++) {
                LstmState s = lstm.newState(1, arena);
                for (int t = 0; t < 2; t++) lstm.step(frames, (long) b * input, input, s, ws1);
                rowsH[b] = s.hToArray();
            }
            float[] h = all.hToArray();
            for (int b = 0; b < batch; b++) {
                float[] row = java.util.Arrays.copyOfRange(h, b * 256, (b + 1) * 256);
                assertArrayEquals(
                        rowsH[b],
                        row,
                        "batch row " + b + " of " + batch + " (" + lanes + " lanes)");
            }
        }
    }

    /**
     * Batches one row past a chunk, one short of two and one past two (17, 31, 33 at 16 lanes), for
     * every structured projection and for plans whose last stage writes the result directly and
     * ones that end in a gather: each batch row equals the same row stepped alone, bit for bit.
     */
    @Test
    void awkwardBatchesOfEveryProjectionStepAsRowByRow() {
        int lanes = KernelProvider.kernels().lanes();
        int input = RobustnessTest.INPUT, hidden = RobustnessTest.HIDDEN;
        try (Arena arena = Arena.ofShared()) {
            float[] bias = LstmModelFileTest.random(4 * hidden, 12, 0.2);
            HtFormat comb =
                    HtFormat.withCappedRanks(
                            new int[] {2, 2, 2, 2},
                            new int[] {2, 5, 2, 5},
                            fdht.layout.DimensionTree.leftComb(4),
                            3);
            Lstm[] models = {
                RobustnessTest.model(arena),
                Lstm.fdht(HtMatrix.random(comb, 13, arena), input, bias, arena),
                Lstm.htInput(
                        HtMatrix.random(
                                HtFormat.uniform(new int[] {4, 2, 2}, new int[] {3, 5, 6}, 3),
                                14,
                                arena),
                        Weights.copyOf(
                                arena, LstmModelFileTest.random(4 * hidden * hidden, 15, 0.3)),
                        input,
                        bias,
                        arena),
                Lstm.tt(
                        fdht.layout.TtMatrix.random(
                                fdht.layout.TtFormat.uniform(
                                        new int[] {4, 2, 2}, new int[] {4, 5, 5}, 3),
                                16,
                                arena),
                        input,
                        bias,
                        arena)
            };
            for (Lstm lstm : models) {
                for (int batch : new int[] {lanes + 1, 2 * lanes - 1, 2 * lanes + 1}) {
                    MemorySegment frames =
                            Weights.copyOf(
                                    arena, LstmModelFileTest.random(batch * input, batch, 1));
                    LstmState all = lstm.newState(batch, arena);
                    LstmWorkspace ws = lstm.newWorkspace(batch, arena),
                            ws1 = lstm.newWorkspace(1, arena);
                    for (int t = 0; t < 2; t++)
                        lstm.step(
                                frames, 0, input, all,
                                ws); // twice: the second step reads a non-zero h
                    float[] h = all.hToArray();
                    for (int b = 0; b < batch; b++) {
                        LstmState s = lstm.newState(1, arena);
                        for (int t = 0; t < 2; t++)
                            lstm.step(frames, (long) b * input, input, s, ws1);
                        assertArrayEquals(
                                s.hToArray(),
                                java.util.Arrays.copyOfRange(h, b * hidden, (b + 1) * hidden),
                                "batch row "
                                        + b
                                        + " of "
                                        + batch
                                        + " ("
                                        + lanes
                                        + " lanes), model "
                                        + lstm);
                    }
                }
            }
        }
    }
}
