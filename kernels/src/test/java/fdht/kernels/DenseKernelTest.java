package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * The head's kernel: the active one gives the scalar twin's bits (each logit one FMA chain from
     * its bias), for every batch row alone or in a batch, and agrees with the row-wise GEMM plus
     * bias within the reordered sum's bound. Nothing past the logits changes.
     */
    @Test
    void denseHeadMatchesScalarBitForBit() {
        Kernels k = KernelProvider.kernels(), s = KernelProvider.scalar();
        SplittableRandom r = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            for (int classes : new int[] {1, 2, 7, 15, 16, 17, 33, 40, 47, 48, 49, 100}) {
                for (int hidden : new int[] {1, 3, 16, 31, 128}) {
                    for (int batch : new int[] {1, 2, 3, 4, 5, 9, 16}) {
                        int stride = Kernels.headStride(classes);
                        long hOff = 3, yOff = 5;
                        MemorySegment wt = fill(arena, (long) hidden * stride, r),
                                bias = fill(arena, stride, r),
                                h = fill(arena, hOff + (long) batch * hidden, r);
                        long n = yOff + (long) batch * classes + 2;
                        MemorySegment y1 = fill(arena, n, r), y2 = Weights.floats(arena, n);
                        MemorySegment.copy(y1, 0, y2, 0, y1.byteSize());
                        k.denseHead(wt, bias, hidden, classes, stride, h, hOff, batch, y1, yOff);
                        s.denseHead(wt, bias, hidden, classes, stride, h, hOff, batch, y2, yOff);
                        String what =
                                "classes " + classes + " hidden " + hidden + " batch " + batch;
                        for (long e = 0; e < n; e++)
                            assertEquals(
                                    Float.floatToRawIntBits(Weights.get(y2, e)),
                                    Float.floatToRawIntBits(Weights.get(y1, e)),
                                    what + " at " + e);
                        // one row alone gives the batch's bits for it
                        MemorySegment one = Weights.floats(arena, classes);
                        int last = batch - 1;
                        k.denseHead(
                                wt,
                                bias,
                                hidden,
                                classes,
                                stride,
                                h,
                                hOff + (long) last * hidden,
                                1,
                                one,
                                0);
                        for (int c = 0; c < classes; c++)
                            assertEquals(
                                    Float.floatToRawIntBits(
                                            Weights.get(y1, yOff + (long) last * classes + c)),
                                    Float.floatToRawIntBits(Weights.get(one, c)),
                                    what + ": row " + last + " alone, class " + c);
                        // the same product the row-wise way: W h + bias, W = wt transposed
                        MemorySegment w = Weights.floats(arena, (long) classes * hidden),
                                ref = Weights.floats(arena, (long) batch * classes);
                        for (int c = 0; c < classes; c++)
                            for (int j = 0; j < hidden; j++)
                                Weights.set(
                                        w,
                                        (long) c * hidden + j,
                                        Weights.get(wt, (long) j * stride + c));
                        s.gemm(w, 0, classes, hidden, h, hOff, ref, 0, batch, false);
                        for (int b = 0; b < batch; b++) {
                            for (int c = 0; c < classes; c++) {
                                double mag = Math.abs(Weights.get(bias, c));
                                for (int j = 0; j < hidden; j++)
                                    mag +=
                                            Math.abs(
                                                    Weights.get(w, (long) c * hidden + j)
                                                            * Weights.get(
                                                                    h,
                                                                    hOff + (long) b * hidden + j));
                                assertEquals(
                                        Weights.get(ref, (long) b * classes + c)
                                                + Weights.get(bias, c),
                                        Weights.get(y1, yOff + (long) b * classes + c),
                                        2 * (hidden + 2) * U * mag,
                                        what + " at b=" + b + " c=" + c);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void denseHeadRefusesAStrideThatIsNotTheHeadStride() {
        for (Kernels k : new Kernels[] {KernelProvider.kernels(), KernelProvider.scalar()}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment m = Weights.floats(arena, 4096);
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> k.denseHead(m, m, 8, 40, 40, m, 0, 1, m, 0));
                assertTrue(
                        e.getMessage().contains("48") && e.getMessage().contains("got 40"),
                        e.getMessage());
            }
        }
    }

    private static MemorySegment fill(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = Weights.floats(arena, n);
        for (long e = 0; e < n; e++) Weights.set(s, e, (float) (r.nextDouble() * 2 - 1));
        return s;
    }
}
