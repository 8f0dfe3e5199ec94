package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The dense weight gradient at the sizes where the vector kernel blocks: batches long enough that a
 * chunk of {@code x} holds fewer columns than the layer (several chunks, each with its tails), rows
 * past the last block of four, {@code dy} rows further apart than their length. The JVM's kernel
 * equals the scalar twin within the rounding of the sum; the vector kernel is, bit for bit, one
 * chain of fused multiply-adds per element in batch order, so its bits do not depend on the
 * blocking, the vector width or how a batch is split between calls.
 */
class DenseWeightsProperties {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** One weight-gradient problem with its buffers. */
    private record Case(
            int rows,
            int ld,
            int wCol,
            int cols,
            long xStride,
            int batch,
            MemorySegment dy,
            MemorySegment x,
            MemorySegment scratch,
            long seed) {
        static Case random(Arena arena, int rows, int cols, int extraLd, int batch, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            int ld = cols + extraLd;
            long xStride = cols + 5;
            return new Case(
                    rows,
                    ld,
                    extraLd / 2,
                    cols,
                    xStride,
                    batch,
                    BackwardTwinProperties.random(arena, (long) batch * rows, r),
                    BackwardTwinProperties.random(arena, batch * xStride, r),
                    BackwardTwinProperties.random(
                            arena, BackwardKernels.denseWeightsScratch(rows, batch), r),
                    seed);
        }

        /** dW's starting values: the same for every kernel run on this case. */
        MemorySegment startingWeights(Arena arena) {
            return BackwardTwinProperties.random(
                    arena, (long) rows * ld, new SplittableRandom(seed + 1));
        }

        void run(BackwardKernels k, MemorySegment dw, int fromRow, int batchRows) {
            k.denseWeights(
                    dw,
                    rows,
                    ld,
                    wCol,
                    cols,
                    dy,
                    (long) fromRow * rows,
                    x,
                    fromRow * xStride,
                    xStride,
                    batchRows,
                    scratch);
        }

        /** The definition as the vector kernel evaluates it: one Math.fma chain per element. */
        void fmaChain(MemorySegment dw) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    long at = (long) i * ld + wCol + j;
                    float acc = dw.getAtIndex(F, at);
                    for (int b = 0; b < batch; b++)
                        acc =
                                Math.fma(
                                        x.getAtIndex(F, b * xStride + j),
                                        dy.getAtIndex(F, (long) b * rows + i),
                                        acc);
                    dw.setAtIndex(F, at, acc);
                }
            }
        }

        float[] values(MemorySegment dw) {
            return Weights.toArray(dw, 0, rows * ld);
        }
    }

    @Property(tries = 40)
    void theBlockedKernelEqualsItsScalarTwin(
            @ForAll @IntRange(min = 1, max = 13) int rows,
            @ForAll @IntRange(min = 1, max = 1300) int cols,
            @ForAll @IntRange(min = 0, max = 9) int extraLd,
            @ForAll @IntRange(min = 1, max = 300) int batch,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Case c = Case.random(arena, rows, cols, extraLd, batch, seed);
            MemorySegment got = c.startingWeights(arena), want = c.startingWeights(arena);
            c.run(BackwardProvider.kernels(), got, 0, batch);
            c.run(ScalarBackward.INSTANCE, want, 0, batch);
            BackwardTwinProperties.same(want, got, (long) rows * c.ld(), batch + 1, "denseWeights");
        }
    }

    @Test
    void theVectorKernelIsOneFmaChainPerElementHoweverTheBatchIsSplit() {
        assumeTrue(
                BackwardProvider.kernels().name().startsWith("vector"),
                "scalar run: the scalar twin sums the batch in float, then adds it to dW");
        SplittableRandom shapes = new SplittableRandom(25);
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 0; n < 30; n++) {
                // every third case long enough to split the columns into several chunks
                int batch = n % 3 == 0 ? 200 + shapes.nextInt(200) : 1 + shapes.nextInt(40);
                Case c =
                        Case.random(
                                arena,
                                1 + shapes.nextInt(13),
                                1 + shapes.nextInt(n % 3 == 0 ? 1500 : 90),
                                shapes.nextInt(10),
                                batch,
                                shapes.nextLong());
                MemorySegment want = c.startingWeights(arena);
                c.fmaChain(want);
                MemorySegment whole = c.startingWeights(arena);
                c.run(BackwardProvider.kernels(), whole, 0, batch);
                String shape = c.rows() + " x " + c.cols() + " at batch " + batch + ", case " + n;
                assertArrayEquals(c.values(want), c.values(whole), shape);
                int split = shapes.nextInt(batch + 1);
                MemorySegment parts = c.startingWeights(arena);
                c.run(BackwardProvider.kernels(), parts, 0, split);
                c.run(BackwardProvider.kernels(), parts, split, batch - split);
                assertArrayEquals(c.values(whole), c.values(parts), shape + ", split at " + split);
            }
        }
    }

    @Test
    void tooLittleScratchIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = Weights.floats(arena, 64);
            long need = BackwardKernels.denseWeightsScratch(4, 2);
            MemorySegment scratch = arena.allocate((need - 1) * Float.BYTES, 64);
            for (BackwardKernels k :
                    new BackwardKernels[] {BackwardProvider.kernels(), ScalarBackward.INSTANCE}) {
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        k.denseWeights(
                                                buf, 4, 4, 0, 4, buf, 0, buf, 0, 4, 2, scratch));
                assertEquals(
                        "the weight gradient of 4 rows at batch 2 needs "
                                + need
                                + " floats of scratch, got "
                                + (need - 1),
                        e.getMessage());
            }
        }
    }
}
