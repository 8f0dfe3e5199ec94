package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The dense GEMM (the classification head, the dense baselines) gives the same bits on its first
 * call, run by the interpreter, as after C2 compiled it: its sums do not depend on the JIT's state.
 * Without that, the same clip gets last-bit different logits depending on how much the JVM had run
 * before it (seen as 87% of 10,000 clips differing between {@code fdht infer} and {@code fdht
 * score}), and the same job run twice may too.
 */
class DenseKernelDeterminismTest {
    @Test
    void gemmGivesTheSameBitsBeforeAndAfterTheJitCompiledIt() {
        Kernels k = KernelProvider.kernels();
        SplittableRandom r = new SplittableRandom(9);
        try (Arena arena = Arena.ofConfined()) {
            // the head's shape (40 classes x 256 hidden) at batch 8 (the 4x4 blocks) and 2 (4
            // weight rows at a time), plus tails
            for (int[] shape : new int[][] {{40, 256, 8}, {40, 256, 2}, {7, 37, 5}}) {
                int rows = shape[0], cols = shape[1], batch = shape[2];
                MemorySegment w = Weights.floats(arena, (long) rows * cols),
                        x = Weights.floats(arena, (long) batch * cols),
                        y = Weights.floats(arena, (long) batch * rows);
                for (long e = 0; e < (long) rows * cols; e++)
                    Weights.set(w, e, (float) (r.nextDouble() * 2 - 1));
                for (long e = 0; e < (long) batch * cols; e++)
                    Weights.set(x, e, (float) (r.nextDouble() * 2 - 1));
                k.gemm(w, 0, rows, cols, x, 0, y, 0, batch, false);
                float[] first = Weights.toArray(y, 0, batch * rows);
                for (int call = 1; call <= 6000; call++) {
                    k.gemm(w, 0, rows, cols, x, 0, y, 0, batch, false);
                    if (call % 500 == 0)
                        assertArrayEquals(
                                first,
                                Weights.toArray(y, 0, batch * rows),
                                "shape " + rows + "x" + cols + " batch " + batch + ", call "
                                        + call);
                }
            }
        }
    }

    /**
     * A batch row's product has the same bits whatever batch it is computed in: the 4x4 blocks, the
     * four-weight-row and four-batch-row paths and the single dot products all sum a row as the
     * same column chunks, each its full vectors then its tail. Without that a dense model's clip
     * scores differ in the last bit between {@code fdht infer} and a Spark partition that leaves it
     * in a batch of another size (and between one thread and two).
     */
    @Test
    void aRowComesOutTheSameInEveryBatchSize() {
        Kernels k = KernelProvider.kernels();
        SplittableRandom r = new SplittableRandom(10);
        try (Arena arena = Arena.ofConfined()) {
            // rows not a multiple of 4, columns over one 2048-column chunk and not a multiple of
            // any vector
            for (int[] shape : new int[][] {{7, 37}, {11, 2 * 2048 + 21}, {40, 256}}) {
                int rows = shape[0], cols = shape[1], batch = 9;
                MemorySegment w = Weights.floats(arena, (long) rows * cols),
                        x = Weights.floats(arena, (long) batch * cols);
                MemorySegment all = Weights.floats(arena, (long) batch * rows),
                        one = Weights.floats(arena, rows);
                for (long e = 0; e < (long) rows * cols; e++)
                    Weights.set(w, e, (float) (r.nextDouble() * 2 - 1));
                for (long e = 0; e < (long) batch * cols; e++)
                    Weights.set(x, e, (float) (r.nextDouble() * 2 - 1));
                k.gemm(w, 0, rows, cols, x, 0, all, 0, batch, false);
                for (int b = 0; b < batch; b++) {
                    k.gemm(w, 0, rows, cols, x, (long) b * cols, one, 0, 1, false);
                    assertArrayEquals(
                            Weights.toArray(one, 0, rows),
                            Weights.toArray(all, (long) b * rows, rows),
                            "shape " + rows + "x" + cols + ", row " + b + " of " + batch);
                }
            }
        }
    }
}
