package fdht.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompiledPlanTest {

    @Test
    void compileRejectsWeightsOfAnotherFormat() {
        try (Arena arena = Arena.ofConfined()) {
            HtFormat ht = HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2);
            TtFormat tt = TtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2);
            ContractionPlan htPlan = ContractionPlanner.plan(ht, 1);
            ContractionPlan ttPlan = ContractionPlanner.tieOrder(tt, 1);
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    CompiledPlan.compile(
                                            htPlan, TtMatrix.random(tt, 1, arena), arena));
            assertTrue(e.getMessage().contains("HT matrix but the weights are TT"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    CompiledPlan.compile(
                                            ttPlan, HtMatrix.random(ht, 1, arena), arena));
            assertTrue(e.getMessage().contains("TT matrix but the weights are HT"), e.getMessage());
            HtFormat other = HtFormat.uniform(new int[] {4, 2}, new int[] {4, 3}, 2);
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    CompiledPlan.compile(
                                            htPlan, HtMatrix.random(other, 1, arena), arena));
            assertTrue(e.getMessage().contains("is not the plan's"), e.getMessage());
            // equal formats built separately are accepted
            CompiledPlan.compile(
                    ContractionPlanner.tieOrder(
                            TtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2), 1),
                    TtMatrix.random(tt, 1, arena),
                    arena);
            assertEquals("HT", htPlan.format().kind());
            assertEquals("TT", ttPlan.format().kind());
        }
    }

    @Test
    void offsetsWalkEveryMultiIndexRowMajor() {
        List<Axis> axes = List.of(Axis.col(0, 3), Axis.row(1, 1), Axis.rank(2, 4), Axis.batch(2));
        long[] strides = {1, 100, 7, 30};
        int[] got = Stage.offsets(axes, strides);
        int[] want = new int[3 * 4 * 2];
        int e = 0;
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 4; c++) for (int d = 0; d < 2; d++) want[e++] = a + 7 * c + 30 * d;
        assertArrayEquals(want, got);
        assertArrayEquals(new int[] {0}, Stage.offsets(List.of(), new long[0]));
    }

    @Test
    void stepTablesAreReadThroughAccessorsThatAgreeWithTheStage() {
        try (Arena arena = Arena.ofConfined()) {
            HtFormat f = HtFormat.uniform(new int[] {4, 3, 2}, new int[] {5, 2, 3}, 3);
            CompiledPlan cp =
                    CompiledPlan.compile(
                            ContractionPlanner.plan(f, 2), HtMatrix.random(f, 3, arena), arena);
            for (CompiledPlan.Step st : cp.steps()) {
                long[] rs = st.stage().inputStrides(st.stage().rows()),
                        cs = st.stage().inputStrides(st.stage().contracted());
                int[] rows = Stage.offsets(st.stage().rows(), rs),
                        cols = Stage.offsets(st.stage().contracted(), cs);
                for (int r = 0; r < st.p(); r++) assertEquals(rows[r], st.rowBase(r));
                for (int j = 0; j < st.c(); j++) assertEquals(cols[j], st.contractedOffset(j));
            }
            if (!cp.lastStageWritesResult()) {
                int[] copy = cp.resultSource();
                copy[0] = -1; // a copy: the plan keeps its own
                assertTrue(cp.resultSourceAt(0) >= 0);
            }
        }
    }
}
