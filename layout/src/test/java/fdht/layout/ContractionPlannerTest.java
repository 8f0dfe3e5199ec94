package fdht.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractionPlannerTest {

    @Test
    void unfusedPlanIsTheCheapestOfAllValidOrders() {
        for (HtFormat f :
                List.of(
                        HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, 4),
                        HtFormat.withCappedRanks(
                                new int[] {3, 5, 2},
                                new int[] {7, 2, 9},
                                DimensionTree.parse("(1,(2,3))"),
                                3),
                        HtFormat.withCappedRanks(
                                new int[] {2, 2, 3, 2, 5},
                                new int[] {9, 4, 1, 6, 2},
                                DimensionTree.leftComb(5),
                                6))) {
            long best = Long.MAX_VALUE;
            for (int[] order : allOrders(f.tree()))
                best = Math.min(best, ContractionPlanner.planInOrder(f, 1, order).totalMacs());
            assertEquals(
                    best,
                    ContractionPlanner.planUnfused(f, 1).totalMacs(),
                    "planner missed the cheapest order of " + f);
            assertTrue(
                    ContractionPlanner.plan(f, 1).totalMacs() <= best,
                    "fusion made " + f + " dearer");
        }
    }

    @Test
    void lstmUcfPlanMatchesDesignFigures() {
        // DESIGN.md: x of 8x20x20x18, outputs 16x4x4x4, ranks 4: 1,584 parameters, about 2.7 M MACs
        // unfused
        HtFormat f = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, 4);
        assertEquals(1584, f.parameterCount());
        long unfused = ContractionPlanner.planUnfused(f, 1).totalMacs();
        assertTrue(unfused > 2_600_000 && unfused < 2_900_000, "unfused MACs " + unfused);
        assertEquals(
                3 * unfused,
                ContractionPlanner.planUnfused(f, 3).totalMacs(),
                "MACs must scale with the batch");
    }

    @Test
    void everyStageReadsWhatThePreviousWrote() {
        HtFormat f = HtFormat.uniform(new int[] {4, 3, 2, 5}, new int[] {6, 2, 7, 3}, 3);
        ContractionPlan p = ContractionPlanner.plan(f, 2);
        assertEquals(p.inputAxes(), p.stages().getFirst().input());
        for (int s = 1; s < p.stages().size(); s++)
            assertEquals(p.stages().get(s - 1).output(), p.stages().get(s).input());
        assertEquals(Stage.product(p.resultAxes()), Stage.product(p.finalAxes()));
    }

    @Test
    void badOrdersAreNamed() {
        HtFormat f = HtFormat.uniform(new int[] {2, 2}, new int[] {2, 2}, 2);
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ContractionPlanner.planInOrder(f, 1, new int[] {2, 0, 1}));
        assertTrue(e.getMessage().contains("before its children"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ContractionPlanner.planInOrder(f, 1, new int[] {0, 0, 2}));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ContractionPlanner.plan(f, 0));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }

    @Test
    void formatValidationNamesTheCulprit() {
        DimensionTree t = DimensionTree.balanced(3);
        assertMessage(
                "m2",
                () ->
                        new HtFormat(
                                new int[] {2, 0, 2},
                                new int[] {2, 2, 2},
                                t,
                                new int[] {1, 1, 1, 1, 1}));
        assertMessage(
                "n3",
                () ->
                        new HtFormat(
                                new int[] {2, 2, 2},
                                new int[] {2, 2, -1},
                                t,
                                new int[] {1, 1, 1, 1, 1}));
        assertMessage(
                "root",
                () ->
                        new HtFormat(
                                new int[] {2, 2, 2},
                                new int[] {2, 2, 2},
                                t,
                                new int[] {1, 1, 1, 1, 2}));
        assertMessage(
                "leaf 1",
                () ->
                        new HtFormat(
                                new int[] {2, 2, 2},
                                new int[] {2, 2, 2},
                                t,
                                new int[] {5, 1, 1, 1, 1}));
        assertMessage(
                "node 4",
                () ->
                        new HtFormat(
                                new int[] {2, 2, 2},
                                new int[] {2, 2, 2},
                                t,
                                new int[] {1, 2, 2, 5, 1}));
        assertMessage("order d=9", () -> DimensionTree.balanced(9));
        assertMessage("mode 3", () -> DimensionTree.parse("((1,3),2)"));
        assertMessage("expected", () -> DimensionTree.parse("((1,2),3"));
        assertEquals("((1,2),(3,4))", DimensionTree.balanced(4).toString());
        assertEquals(DimensionTree.parse("(1,(2,3))"), DimensionTree.balanced(3));
    }

    private static void assertMessage(
            String fragment, org.junit.jupiter.api.function.Executable e) {
        var ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(
                ex.getMessage().contains(fragment),
                "message '" + ex.getMessage() + "' should name " + fragment);
    }

    static List<int[]> allOrders(DimensionTree tree) {
        List<int[]> out = new ArrayList<>();
        extend(tree, new int[tree.nodeCount()], 0, 0, out);
        return out;
    }

    private static void extend(
            DimensionTree tree, int[] order, int len, int mask, List<int[]> out) {
        if (len == order.length) {
            out.add(order.clone());
            return;
        }
        for (int t = 0; t < tree.nodeCount(); t++) {
            if ((mask >> t & 1) == 1) continue;
            if (!tree.isLeaf(t)
                    && ((mask >> tree.left(t) & 1) == 0 || (mask >> tree.right(t) & 1) == 0))
                continue;
            order[len] = t;
            extend(tree, order, len + 1, mask | 1 << t, out);
        }
    }
}
