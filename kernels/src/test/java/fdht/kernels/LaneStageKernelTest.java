package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The lane-layout stage kernel ({@link Kernels#contractLanes}) against its scalar twin, and the
 * twin against {@link Kernels#contract} row by row.
 */
class LaneStageKernelTest {
    private static final double U = Math.ulp(1.0f) / 2;

    @Test
    void everyStageOfAssortedPlansMatches() {
        try (Arena arena = Arena.ofConfined()) {
            check(
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {16, 4, 4, 4},
                                    new int[] {8, 20, 20, 19},
                                    DimensionTree.balanced(4),
                                    4),
                            42,
                            arena),
                    arena);
            check(
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {16, 4, 4, 4},
                                    new int[] {8, 20, 20, 18},
                                    DimensionTree.balanced(4),
                                    8),
                            43,
                            arena),
                    arena);
            check(
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {2, 3, 1, 5, 2},
                                    new int[] {3, 1, 4, 2, 7},
                                    DimensionTree.leftComb(5),
                                    5),
                            44,
                            arena),
                    arena);
            check(
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {7, 1, 3},
                                    new int[] {1, 9, 2},
                                    DimensionTree.parse("(1,(2,3))"),
                                    12),
                            45,
                            arena),
                    arena);
            check(
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {4, 3},
                                    new int[] {5, 2},
                                    DimensionTree.balanced(2),
                                    3),
                            46,
                            arena),
                    arena);
        }
    }

    @Test
    void ttStagesMatch() {
        try (Arena arena = Arena.ofConfined()) {
            TtMatrix tt =
                    TtMatrix.random(
                            TtFormat.uniform(new int[] {4, 2, 3}, new int[] {5, 3, 4}, 3),
                            9,
                            arena);
            CompiledPlan cp =
                    CompiledPlan.compile(ContractionPlanner.tieOrder(tt.format(), 1), tt, arena);
            for (CompiledPlan.Step st : cp.steps()) checkStep(cp, st, arena);
        }
    }

    @Test
    void vectorKernelsTakeOnlyTheirOwnLaneCount() {
        Kernels k = KernelProvider.kernels();
        assumeTrue(k.lanes() > 1, "scalar run: the scalar kernels take any lane count");
        try (Arena arena = Arena.ofConfined()) {
            HtMatrix ht =
                    HtMatrix.random(
                            HtFormat.withCappedRanks(
                                    new int[] {4, 3},
                                    new int[] {5, 2},
                                    DimensionTree.balanced(2),
                                    3),
                            46,
                            arena);
            CompiledPlan cp =
                    CompiledPlan.compile(ContractionPlanner.plan(ht.format(), 1), ht, arena);
            MemorySegment buf = Weights.floats(arena, 1 << 12);
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            k.contractLanes(
                                    cp.step(0),
                                    PlanTables.factorArray(cp),
                                    buf,
                                    0,
                                    buf,
                                    0,
                                    k.lanes() / 2,
                                    1));
        }
    }

    private static void check(HtMatrix ht, Arena arena) {
        CompiledPlan cp = CompiledPlan.compile(ContractionPlanner.plan(ht.format(), 1), ht, arena);
        for (CompiledPlan.Step st : cp.steps()) checkStep(cp, st, arena);
    }

    /**
     * One stage at two chunks: scalar lanes = per-row contract exactly; active kernels = scalar
     * within the sum's rounding bound.
     */
    private static void checkStep(CompiledPlan cp, CompiledPlan.Step st, Arena arena) {
        Kernels k = KernelProvider.kernels();
        int lanes = k.lanes() == 1 ? 4 : k.lanes();
        int chunks = 2, batch = lanes * chunks;
        long inSize = st.stage().inputSize(), outSize = (long) st.p() * st.q();
        float[] rows = ContractionKernelTest.random((int) (batch * inSize), 7 + st.stage().index());
        MemorySegment rowMajor = Weights.copyOf(arena, rows);
        MemorySegment laneIn = Weights.floats(arena, batch * inSize);
        LaneLayout.toLanes(rowMajor, 0, inSize, batch, inSize, laneIn, 0, lanes);

        // the twin, row by row, through the row-major stage kernel
        MemorySegment expected = Weights.floats(arena, batch * outSize);
        for (int b = 0; b < batch; b++)
            KernelProvider.scalar()
                    .contract(st, cp.factors(), rowMajor, b * inSize, expected, b * outSize);
        MemorySegment scalarLanes = Weights.floats(arena, batch * outSize);
        KernelProvider.scalar()
                .contractLanes(
                        st, PlanTables.factorArray(cp), laneIn, 0, scalarLanes, 0, lanes, chunks);
        MemorySegment scalarRows = Weights.floats(arena, batch * outSize);
        LaneLayout.fromLanes(scalarLanes, 0, lanes, batch, outSize, scalarRows, 0, outSize);
        for (long e = 0; e < batch * outSize; e++) {
            assertEquals(
                    Weights.get(expected, e),
                    Weights.get(scalarRows, e),
                    0.0,
                    "scalar lanes vs rows, stage " + st.stage().index() + " element " + e);
        }

        // the active kernels (vector at their own width), against the twin with a bound scaled to
        // each sum
        MemorySegment got = Weights.floats(arena, batch * outSize);
        k.contractLanes(st, PlanTables.factorArray(cp), laneIn, 0, got, 0, lanes, chunks);
        MemorySegment absIn = Weights.floats(arena, batch * inSize);
        for (long e = 0; e < batch * inSize; e++)
            Weights.set(absIn, e, Math.abs(Weights.get(laneIn, e)));
        float[] absF = PlanTables.factorArray(cp).clone();
        for (int e = 0; e < absF.length; e++) absF[e] = Math.abs(absF[e]);
        MemorySegment bound = Weights.floats(arena, batch * outSize);
        KernelProvider.scalar().contractLanes(st, absF, absIn, 0, bound, 0, lanes, chunks);
        for (long e = 0; e < batch * outSize; e++) {
            double tol = 2 * U * st.c() * Weights.get(bound, e) + 1e-30;
            assertEquals(
                    Weights.get(scalarLanes, e),
                    Weights.get(got, e),
                    tol,
                    k.name()
                            + " lanes vs scalar lanes, stage "
                            + st.stage().index()
                            + " element "
                            + e);
        }
    }
}
