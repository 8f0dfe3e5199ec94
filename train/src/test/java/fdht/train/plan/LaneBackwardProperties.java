package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The stage backward in the lane layout (the batch as the lanes, padded to whole chunks) equals the
 * row-major backward run row by row ({@link RowMajorStageBackward}) on every stage of random HT
 * plans (fused and not, odd ranks and shapes), for batches that are and are not multiples of the
 * lanes: the JVM's kernels (the Vector API ones in the vector runs, at every width surefire runs)
 * at their own lane count, and the scalar twin at that and other lane counts. Tolerance: {@code 2 *
 * C * u * sum|terms|} for a float sum of {@code C} terms.
 */
class LaneBackwardProperties {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final float U = Math.ulp(1f) / 2;

    @Provide
    Arbitrary<HtFormat> formats() {
        return BackwardTwinProperties.randomFormats(6, 5);
    }

    @Provide
    Arbitrary<Integer> batches() {
        return Arbitraries.oneOf(Arbitraries.of(1, 3, 17), Arbitraries.integers().between(1, 33));
    }

    @Property(tries = 80)
    void laneBackwardEqualsTheRowMajorBackward(
            @ForAll("formats") HtFormat f,
            @ForAll("batches") int batch,
            @ForAll boolean fused,
            @ForAll long seed) {
        ContractionPlan plan =
                fused
                        ? ContractionPlanner.plan(f, 1)
                        : PlanGradientProperties.randomUnfused(f, 1, seed);
        int own = KernelProvider.kernels().lanes();
        try (Arena arena = Arena.ofConfined()) {
            CompiledPlan compiled =
                    CompiledPlan.compile(plan, HtMatrix.random(f, seed, arena), arena);
            for (int s = 0; s < compiled.stageCount(); s++) {
                CompiledPlan.Step v = compiled.step(s);
                String what = f + " stage " + (s + 1) + " batch " + batch;
                check(v, compiled, batch, own, BackwardProvider.kernels(), seed, arena, what);
                for (int lanes : new int[] {own, 1, 5})
                    check(v, compiled, batch, lanes, ScalarBackward.INSTANCE, seed, arena, what);
            }
        }
    }

    @Test
    void theVectorKernelsRefuseAnotherLaneCount() {
        int own = KernelProvider.kernels().lanes();
        assumeTrue(own > 1, "scalar run: the scalar kernels take any lane count");
        try (Arena arena = Arena.ofConfined()) {
            HtFormat f = BackwardTwinProperties.randomFormats(6, 5).sample();
            CompiledPlan compiled =
                    CompiledPlan.compile(
                            ContractionPlanner.plan(f, 1), HtMatrix.random(f, 1, arena), arena);
            CompiledPlan.Step v = compiled.step(0);
            MemorySegment buf = Weights.floats(arena, 64 * (v.inputSize() + (long) v.p() * v.q()));
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            BackwardProvider.kernels()
                                    .stageInputLanes(v, compiled.factors(), buf, 0, buf, 0, 2, 1));
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            BackwardProvider.kernels()
                                    .stageFactorLanes(v, buf, 0, buf, 0, buf, own / 2, 1));
        }
    }

    private static void check(
            CompiledPlan.Step v,
            CompiledPlan compiled,
            int batch,
            int lanes,
            BackwardKernels bk,
            long seed,
            Arena arena,
            String what) {
        SplittableRandom r = new SplittableRandom(seed ^ lanes);
        int chunks = (batch + lanes - 1) / lanes;
        long in = v.inputSize(), out = (long) v.p() * v.q(), padded = (long) chunks * lanes;
        MemorySegment fs = compiled.factors();
        // row-major rows and the same values in lanes (padded lanes zero)
        MemorySegment xRows = BackwardTwinProperties.random(arena, batch * in, r),
                gRows = BackwardTwinProperties.random(arena, batch * out, r);
        MemorySegment xLanes = Weights.floats(arena, padded * in),
                gLanes = Weights.floats(arena, padded * out);
        toLanes(xRows, xLanes, batch, in, lanes);
        toLanes(gRows, gLanes, batch, out, lanes);

        MemorySegment dInRows = Weights.floats(arena, batch * in),
                dInLanes = Weights.floats(arena, padded * in);
        MemorySegment dF0 = PlanTape.factorBuffer(compiled, arena);
        long nf = dF0.byteSize() / Float.BYTES - Weights.SLACK_FLOATS;
        for (long e = 0; e < nf; e++) dF0.setAtIndex(F, e, (float) r.nextDouble());
        MemorySegment dFRows = PlanTape.factorBuffer(compiled, arena),
                dFLanes = PlanTape.factorBuffer(compiled, arena);
        MemorySegment.copy(dF0, 0, dFRows, 0, nf * Float.BYTES);
        MemorySegment.copy(dF0, 0, dFLanes, 0, nf * Float.BYTES);
        for (int b = 0; b < batch; b++) {
            RowMajorStageBackward.input(v, fs, gRows, b * out, dInRows, b * in);
            RowMajorStageBackward.factor(v, xRows, b * in, gRows, b * out, dFRows);
        }
        bk.stageInputLanes(v, fs, gLanes, 0, dInLanes, 0, lanes, chunks);
        bk.stageFactorLanes(v, xLanes, 0, gLanes, 0, dFLanes, lanes, chunks);

        String how = what + ", " + bk.name() + " at " + lanes + " lanes";
        int p = v.p(), c = v.c(), q = v.q();
        long f0 = v.factorOffset();
        for (int b = 0; b < batch; b++) {
            long lane = (long) (b / lanes) * in * lanes + b % lanes;
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < c; j++) {
                    double abs = 0;
                    for (int k = 0; k < q; k++)
                        abs +=
                                Math.abs(
                                        gRows.getAtIndex(F, b * out + (long) i * q + k)
                                                * fs.getAtIndex(F, f0 + (long) j * q + k));
                    long e = (long) v.rowBase(i) + v.contractedOffset(j);
                    assertEquals(
                            dInRows.getAtIndex(F, b * in + e),
                            dInLanes.getAtIndex(F, lane + e * lanes),
                            2 * q * U * abs,
                            how + ": dIn[" + b + "][" + e + "]");
                }
            }
        }
        // padded lanes of dIn stay zero: a later stage's factor gradient relies on it
        for (int b = batch; b < padded; b++) {
            long lane = (long) (b / lanes) * in * lanes + b % lanes;
            for (long e = 0; e < in; e++)
                assertEquals(0f, dInLanes.getAtIndex(F, lane + e * lanes), how + ": padded lane");
        }
        long terms = (long) batch * p + 1;
        for (int j = 0; j < c; j++) {
            for (int k = 0; k < q; k++) {
                long at = f0 + (long) j * q + k;
                double abs = Math.abs(dF0.getAtIndex(F, at));
                for (int b = 0; b < batch; b++)
                    for (int i = 0; i < p; i++)
                        abs +=
                                Math.abs(
                                        xRows.getAtIndex(
                                                        F,
                                                        b * in
                                                                + v.rowBase(i)
                                                                + v.contractedOffset(j))
                                                * gRows.getAtIndex(F, b * out + (long) i * q + k));
                assertEquals(
                        dFRows.getAtIndex(F, at),
                        dFLanes.getAtIndex(F, at),
                        2 * terms * U * abs,
                        how + ": dF[" + j + "][" + k + "]");
            }
        }
        // nothing else of the factor gradient is touched
        for (long e = 0; e < nf; e++)
            if (e < f0 || e >= f0 + (long) c * q)
                assertEquals(dF0.getAtIndex(F, e), dFLanes.getAtIndex(F, e), how + ": dF " + e);
    }

    /** Row-major {@code [batch][size]} into whole chunks of {@code lanes}, padded lanes zero. */
    private static void toLanes(
            MemorySegment rows, MemorySegment lanesBuf, int batch, long size, int lanes) {
        for (int b = 0; b < batch; b++)
            for (long e = 0; e < size; e++)
                lanesBuf.setAtIndex(
                        F,
                        ((long) (b / lanes) * size + e) * lanes + b % lanes,
                        rows.getAtIndex(F, b * size + e));
    }
}
