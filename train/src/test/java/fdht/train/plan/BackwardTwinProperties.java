package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.layout.HtFormat;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The JVM's dense backward kernels (the Vector API ones in the vector run) equal the scalar twins
 * on shapes of awkward sizes, within a tolerance scaled by the length of each sum; the stage
 * kernels are {@link LaneBackwardProperties}'.
 */
class BackwardTwinProperties {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void theVectorRunUsesTheVectorTwin() {
        String expect = System.getProperty("fdht.expectKernels", "");
        if (!expect.isEmpty())
            assertEquals(
                    expect,
                    BackwardProvider.kernels().name().replaceAll("-.*", ""),
                    "backward kernels chosen");
        assertEquals(KernelProvider.kernels().name(), BackwardProvider.kernels().name());
        String bits = System.getProperty("fdht.vectorBits", "");
        if (!bits.isEmpty()) // the width runs of the pom
        assertEquals("vector-" + bits, BackwardProvider.kernels().name(), "width asked for");
    }

    /**
     * Random small HT formats: 2-4 modes, factors 1-{@code maxFactor}, ranks 1-{@code maxRank}, any
     * tree shape.
     */
    static Arbitrary<HtFormat> randomFormats(int maxFactor, int maxRank) {
        return Arbitraries.integers()
                .between(2, 4)
                .flatMap(
                        d ->
                                Combinators.combine(
                                                Arbitraries.integers()
                                                        .between(1, maxFactor)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers()
                                                        .between(1, maxFactor)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers().between(0, 2),
                                                Arbitraries.integers()
                                                        .between(1, maxRank)
                                                        .array(int[].class)
                                                        .ofSize(2 * d - 1),
                                                Arbitraries.longs())
                                        .as(
                                                (m, n, kind, ranks, seed) ->
                                                        PlanGradientProperties.format(
                                                                m, n, kind, seed, ranks)));
    }

    @Property(tries = 150)
    void denseKernelsEqualTheirScalarTwins(
            @ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols,
            @ForAll @IntRange(min = 0, max = 9) int extraLd,
            @ForAll @IntRange(min = 1, max = 6) int batch,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(seed);
            int wCol = extraLd / 2, ld = cols + extraLd;
            long xStride = cols + 3;
            MemorySegment w = random(arena, (long) rows * ld, r),
                    dy = random(arena, (long) batch * rows, r),
                    x = random(arena, batch * xStride, r);
            MemorySegment dxV = Weights.floats(arena, batch * xStride),
                    dxS = Weights.floats(arena, batch * xStride);
            BackwardProvider.kernels()
                    .denseInput(w, rows, ld, wCol, cols, dy, 0, dxV, 0, xStride, batch);
            ScalarBackward.INSTANCE.denseInput(
                    w, rows, ld, wCol, cols, dy, 0, dxS, 0, xStride, batch);
            same(dxS, dxV, batch * xStride, rows, "denseInput");
            MemorySegment scratch =
                    Weights.floats(arena, BackwardKernels.denseWeightsScratch(rows, batch));
            MemorySegment dwV = random(arena, (long) rows * ld, new SplittableRandom(seed + 1)),
                    dwS = random(arena, (long) rows * ld, new SplittableRandom(seed + 1));
            BackwardProvider.kernels()
                    .denseWeights(dwV, rows, ld, wCol, cols, dy, 0, x, 0, xStride, batch, scratch);
            ScalarBackward.INSTANCE.denseWeights(
                    dwS, rows, ld, wCol, cols, dy, 0, x, 0, xStride, batch, scratch);
            same(dwS, dwV, (long) rows * ld, batch + 1, "denseWeights");
        }
    }

    static MemorySegment random(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = Weights.floats(arena, n);
        for (long e = 0; e < n; e++) s.setAtIndex(F, e, (float) (r.nextDouble() * 2 - 1));
        return s;
    }

    /** Equal within the rounding of a float sum of {@code terms} products bounded by 1. */
    static void same(MemorySegment want, MemorySegment got, long n, int terms, String what) {
        for (long e = 0; e < n; e++) {
            assertEquals(
                    want.getAtIndex(F, e),
                    got.getAtIndex(F, e),
                    4 * Math.ulp(1f) * terms,
                    what + " at " + e);
        }
    }
}
