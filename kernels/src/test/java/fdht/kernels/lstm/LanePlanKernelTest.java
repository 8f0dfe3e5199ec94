package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.ExecutionPath;
import fdht.kernels.KernelOptions;
import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.LanePlanStages;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.kernels.ScalarKernels;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.LanePlan;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A batch row in the lane layout with lanes from row axes ({@link LanePlan}, {@link
 * LanePlanStages}): the scalar twins run through it equal the row-major plan bit for bit (each sum
 * is taken in the same order), the vector block transpose equals its twin, and the LSTM step at
 * batch 1 on the vector kernels equals the row-folded step bit for bit.
 */
class LanePlanKernelTest {
    record Case(String name, ContractionPlan plan, PlanFactors weights) {}

    static List<Case> cases(Arena arena) {
        List<Case> out = new ArrayList<>();
        HtFormat ucf = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4);
        HtFormat comb =
                HtFormat.withCappedRanks(
                        new int[] {2, 4, 2, 4},
                        new int[] {4, 5, 4, 6},
                        DimensionTree.leftComb(4),
                        3);
        HtFormat odd = HtFormat.uniform(new int[] {4, 8, 2}, new int[] {16, 3, 5}, 2);
        HtFormat five =
                HtFormat.withCappedRanks(
                        new int[] {2, 2, 4, 2, 2},
                        new int[] {4, 3, 4, 5, 8},
                        DimensionTree.balanced(5),
                        5);
        // no row axis to take lanes from in one stage at batch 1: the empty group
        HtFormat firstEmpty = HtFormat.uniform(new int[] {4, 4}, new int[] {6, 6}, 3);
        HtFormat secondEmpty = HtFormat.uniform(new int[] {4, 1}, new int[] {7, 6}, 4);
        for (HtFormat f : new HtFormat[] {ucf, comb, odd, five, firstEmpty, secondEmpty}) {
            HtMatrix ht = HtMatrix.random(f, f.hashCode(), arena);
            out.add(new Case(f.toString(), ContractionPlanner.plan(f, 1), ht));
            out.add(new Case(f + " unfused", ContractionPlanner.planUnfused(f, 1), ht));
        }
        TtFormat tt = TtFormat.uniform(new int[] {4, 4, 2}, new int[] {8, 4, 5}, 3);
        out.add(
                new Case(
                        tt.toString(),
                        ContractionPlanner.tieOrder(tt, 1),
                        TtMatrix.random(tt, 5, arena)));
        return out;
    }

    /**
     * Scalar twins at 4, 8 and 16 lanes: entry, stages, block transposes and exit through {@link
     * LanePlanStages} equal {@link PlanExecutor} with the scalar kernels, bit for bit.
     */
    @Test
    void theScalarTwinsInTheRowLaneLayoutEqualTheRowMajorPlanExactly() {
        int planned = 0, padded = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (Case c : cases(arena)) {
                CompiledPlan cp = CompiledPlan.compile(c.plan(), c.weights(), arena);
                float[] x = LstmModelFileTest.random((int) cp.inputSize(), 31, 1);
                MemorySegment xs = Weights.copyOf(arena, x);
                MemorySegment want = Weights.floats(arena, cp.resultSize());
                Kernels scalar = ScalarKernels.INSTANCE;
                PlanExecutor.apply(
                        cp, xs, 0, want, 0, new PlanWorkspace(cp, scalar, arena), scalar);
                for (int lanes : new int[] {4, 8, 16}) {
                    // uncapped: every plan, however padded (the default cap is a speed choice)
                    var lp = LanePlan.of(cp, lanes, Double.POSITIVE_INFINITY);
                    planned++;
                    if (lp.get().padded()) padded++;
                    MemorySegment got = Weights.floats(arena, cp.resultSize());
                    run(lp.get(), xs, got, ScalarKernels.INSTANCE, arena);
                    assertArrayEquals(
                            Weights.toArray(want, 0, (int) cp.resultSize()),
                            Weights.toArray(got, 0, (int) cp.resultSize()),
                            c.name() + " at " + lanes + " lanes, " + lp.get());
                }
            }
        }
        assertTrue(planned >= 10, "only " + planned + " plans had a lane layout");
        assertTrue(padded >= 2, "only " + padded + " plans had a padded group");
    }

    /** LSTM-UCF rank 4 at 16 lanes: the groups the planner picks and the one transpose between. */
    @Test
    void lstmUcfTakesLanesFromTwoAxisGroupsWithOneTransposeBetween() {
        try (Arena arena = Arena.ofConfined()) {
            Case ucf = cases(arena).getFirst();
            CompiledPlan cp = CompiledPlan.compile(ucf.plan(), ucf.weights(), arena);
            LanePlan lp = LanePlan.of(cp, 16).orElseThrow();
            assertEquals(
                    "lanes 16 from rows: 1 (j1 j2), 2 (j1 j2), 3 (i3 i4) (transposed), 4 (i3 i4)",
                    lp.toString());
            assertTrue(lp.resultInVectors(), "the result leaves by whole vectors");
            for (int s = 0; s < cp.stageCount(); s++)
                assertEquals(cp.step(s).p(), lp.step(s).p() * 16L, "stage " + (s + 1) + " rows");
        }
    }

    @Test
    void blockTablesThatAreNotWholeBlocksAreRefused() {
        Kernels k = KernelProvider.kernels();
        int lanes = k.lanes() == 1 ? 4 : k.lanes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = Weights.floats(arena, 4L * lanes * lanes);
            int[] block = new int[lanes], shorter = new int[lanes - 1];
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> k.transposeBlocks(buf, 0, block, buf, 0, shorter, lanes));
            assertTrue(e.getMessage().contains("not whole blocks"), e.getMessage());
        }
    }

    @Test
    void theVectorBlockTransposeEqualsItsTwin() {
        Kernels k = KernelProvider.kernels();
        Assumptions.assumeTrue(k.lanes() > 1, "scalar kernels: no vector transpose to check");
        try (Arena arena = Arena.ofConfined()) {
            int checked = 0;
            for (Case c : cases(arena)) {
                CompiledPlan cp = CompiledPlan.compile(c.plan(), c.weights(), arena);
                var lp = LanePlan.of(cp, k.lanes(), Double.POSITIVE_INFINITY);
                for (int s = 0; s < cp.stageCount(); s++) {
                    int[] src = lp.get().transposeSource(s);
                    if (src == null) continue;
                    int[] dst = lp.get().transposeDestination(s);
                    // the previous stage's padded output in, the transposed (padded) input out
                    int n = (int) lp.get().workFloats(), m = (int) lp.get().transposeFloats();
                    MemorySegment in = Weights.copyOf(arena, LstmModelFileTest.random(n, s, 1));
                    MemorySegment got = Weights.floats(arena, m), want = Weights.floats(arena, m);
                    k.transposeBlocks(in, 0, src, got, 0, dst, k.lanes());
                    ScalarKernels.INSTANCE.transposeBlocks(in, 0, src, want, 0, dst, k.lanes());
                    assertArrayEquals(
                            Weights.toArray(want, 0, m),
                            Weights.toArray(got, 0, m),
                            c.name() + " stage " + (s + 1));
                    checked++;
                }
            }
            assertTrue(checked > 0, "no plan had a transpose");
        }
    }

    /**
     * On the vector kernels, every plan in the lane layout, however padded (uncapped), equals the
     * row-major plan on the row-folded kernel ({@link #ROW_MAJOR}) bit for bit: the padding lanes
     * never reach a result.
     */
    @Test
    void everyPlanInTheLaneLayoutEqualsTheRowFoldedPlanBitForBit() {
        Kernels k = KernelProvider.kernels();
        Assumptions.assumeTrue(k.lanes() > 1, "scalar kernels: one path");
        int padded = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (Case c : cases(arena)) {
                CompiledPlan cp = CompiledPlan.compile(c.plan(), c.weights(), arena);
                MemorySegment xs =
                        Weights.copyOf(
                                arena, LstmModelFileTest.random((int) cp.inputSize(), 37, 1));
                MemorySegment want = Weights.floats(arena, cp.resultSize());
                PlanWorkspace rows = new PlanWorkspace(cp, k, ROW_MAJOR, arena);
                assertEquals(ExecutionPath.ROW_MAJOR, rows.path());
                PlanExecutor.apply(cp, xs, 0, want, 0, rows, k);
                LanePlan lp = LanePlan.of(cp, k.lanes(), Double.POSITIVE_INFINITY).orElseThrow();
                if (lp.padded()) padded++;
                MemorySegment got = Weights.floats(arena, cp.resultSize());
                run(lp, xs, got, k, arena);
                assertArrayEquals(
                        Weights.toArray(want, 0, (int) cp.resultSize()),
                        Weights.toArray(got, 0, (int) cp.resultSize()),
                        c.name() + ", " + lp);
            }
        }
        assertTrue(padded >= 2, "only " + padded + " plans had a padded group");
    }

    /** The switches with the row lanes off: a workspace of the row-major plan. */
    static final KernelOptions ROW_MAJOR = KernelProvider.options().withRowLanes(false);

    /**
     * The step at batch 1 in the row-lane layout (the default) equals the row-folded step ({@link
     * #ROW_MAJOR}) bit for bit, for every structured projection.
     */
    @Test
    void theBatchOneStepEqualsTheRowFoldedStepBitForBit() {
        Assumptions.assumeTrue(KernelProvider.kernels().lanes() > 1, "scalar kernels: one path");
        int input = RobustnessTest.INPUT, hidden = RobustnessTest.HIDDEN;
        try (Arena arena = Arena.ofShared()) {
            float[] bias = LstmModelFileTest.random(4 * hidden, 12, 0.2);
            List<Lstm> models = new ArrayList<>();
            models.add(RobustnessTest.model(arena));
            models.add(LaneBatchKernelTest.ucfShaped(arena));
            models.add(
                    Lstm.tt(
                            TtMatrix.random(
                                    TtFormat.uniform(new int[] {4, 2, 2}, new int[] {4, 5, 5}, 3),
                                    16,
                                    arena),
                            input,
                            bias,
                            arena));
            int rowLane = 0;
            for (Lstm lstm : models) {
                int n = lstm.inputSize();
                MemorySegment frames = Weights.copyOf(arena, LstmModelFileTest.random(2 * n, 9, 1));
                LstmWorkspace lanes = lstm.newWorkspace(1, arena);
                LstmWorkspace rows = lstm.newWorkspace(1, ROW_MAJOR, arena);
                assertEquals(ExecutionPath.ROW_MAJOR, rows.path());
                LstmState a = lstm.newState(1, arena), b = lstm.newState(1, arena);
                for (int t = 0; t < 2; t++) { // twice: the second step reads a non-zero h
                    lstm.step(frames, (long) t * n, n, a, lanes);
                    lstm.step(frames, (long) t * n, n, b, rows);
                }
                assertArrayEquals(b.hToArray(), a.hToArray(), "model " + lstm);
                assertArrayEquals(b.cToArray(), a.cToArray(), "model " + lstm);
                ContractionPlan p = lstm.plan(1).orElseThrow();
                PlanFactors w = ((PlannedProjection) lstm.projection()).weights();
                if (LanePlan.of(CompiledPlan.compile(p, w, arena), KernelProvider.kernels().lanes())
                        .isPresent()) rowLane++;
            }
            assertTrue(rowLane >= 1, "no model ran in the row-lane layout");
        }
    }

    /**
     * A workspace is made for its layer's kernels: the same layer run by other kernels refuses it
     * instead of falling back to another path, and says what to do.
     */
    @Test
    void aStepRefusesAWorkspaceMadeForOtherKernels() {
        Kernels k = KernelProvider.kernels();
        Assumptions.assumeTrue(
                k != ScalarKernels.INSTANCE, "scalar kernels only: no other kernels to mix in");
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm = RobustnessTest.model(arena);
            Lstm scalar = lstm.withKernels(ScalarKernels.INSTANCE);
            LstmWorkspace ws = lstm.newWorkspace(1, arena);
            LstmState state = scalar.newState(1, arena);
            MemorySegment frame = Weights.floats(arena, lstm.inputSize());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> scalar.step(frame, 0, lstm.inputSize(), state, ws));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "scratch was made for the "
                                            + k.name()
                                            + " kernels but is run with the scalar kernels"),
                    e.getMessage());
            scalar.step(frame, 0, lstm.inputSize(), state, scalar.newWorkspace(1, arena));
        }
    }

    /**
     * The whole row through {@link LanePlanStages}: the input given as {@code [x ; h]} (its last
     * floats as a separate {@code h}, as an LSTM step gives it), entered, walked, left.
     */
    static void run(LanePlan lp, MemorySegment x, MemorySegment y, Kernels k, Arena arena) {
        LanePlanStages st = new LanePlanStages(lp, arena);
        long n = lp.plan().inputSize(), hFloats = Math.min(7, n / 3), xFloats = n - hFloats;
        MemorySegment h = Weights.floats(arena, hFloats);
        MemorySegment.copy(x, xFloats * Float.BYTES, h, 0, hFloats * Float.BYTES);
        MemorySegment staging = Weights.floats(arena, lp.inputFloats());
        st.enterRow(x, 0, xFloats, h, 0, hFloats, staging, k);
        st.walk(k);
        st.exit(y, 0);
    }
}
