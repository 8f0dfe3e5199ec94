package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The active dense GEMM against its scalar twin on awkward sizes, offsets and both accumulate
 * modes.
 */
class DenseKernelTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @Test
    void gemmMatchesScalarOnAwkwardShapes() {
        int[] sizes = {1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 100, 257};
        int[] batches = {1, 2, 3, 4, 5, 17};
        Kernels k = KernelProvider.kernels(), s = KernelProvider.scalar();
        SplittableRandom r = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int rows : new int[] {1, 3, 16, 33}) {
                for (int cols : sizes) {
                    for (int batch : batches) {
                        for (boolean acc : new boolean[] {false, true}) {
                            long wOff = 3, xOff = 5, yOff = 7;
                            MemorySegment w = fill(arena, wOff + (long) rows * cols, r),
                                    x = fill(arena, xOff + (long) batch * cols, r);
                            MemorySegment y1 = fill(arena, yOff + (long) batch * rows + 2, r);
                            MemorySegment y2 =
                                    Weights.floats(arena, yOff + (long) batch * rows + 2);
                            MemorySegment.copy(y1, 0, y2, 0, y1.byteSize());
                            k.gemm(w, wOff, rows, cols, x, xOff, y1, yOff, batch, acc);
                            s.gemm(w, wOff, rows, cols, x, xOff, y2, yOff, batch, acc);
                            for (int b = 0; b < batch; b++) {
                                for (int i = 0; i < rows; i++) {
                                    // a sum of `cols` products: reordered float sums differ by at
                                    // most 2*cols*u*sum|w x|
                                    double mag =
                                            acc
                                                    ? Math.abs(
                                                            Weights.get(
                                                                    y2, yOff + (long) b * rows + i))
                                                    : 0;
                                    for (int j = 0; j < cols; j++)
                                        mag +=
                                                Math.abs(
                                                        Weights.get(w, wOff + (long) i * cols + j)
                                                                * Weights.get(
                                                                        x,
                                                                        xOff
                                                                                + (long) b * cols
                                                                                + j));
                                    long at = yOff + (long) b * rows + i;
                                    assertEquals(
                                            Weights.get(y2, at),
                                            Weights.get(y1, at),
                                            2 * (cols + 1) * U * mag,
                                            "rows " + rows + " cols " + cols + " batch " + batch
                                                    + " acc " + acc + " at b=" + b + " i=" + i);
                                }
                            }
                            // nothing outside y's rows may change
                            assertEquals(Weights.get(y2, 0), Weights.get(y1, 0));
                            assertEquals(
                                    Weights.get(y2, yOff + (long) batch * rows),
                                    Weights.get(y1, yOff + (long) batch * rows));
                        }
                    }
                }
            }
        }
    }

    private static MemorySegment fill(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = Weights.floats(arena, n);
        for (long e = 0; e < n; e++) Weights.set(s, e, (float) (r.nextDouble() * 2 - 1));
        return s;
    }
}
