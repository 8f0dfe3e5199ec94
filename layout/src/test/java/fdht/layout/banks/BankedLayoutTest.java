package fdht.layout.banks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Axis;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BankedLayoutTest {

    @Test
    void fourByFourTransposeWithFourBanks() {
        Axis rows = Axis.row(0, 4), cols = Axis.col(0, 4);
        Boundary b = new Boundary("4x4", List.of(rows, cols), List.of(cols, rows));
        ConflictReport naive = ConflictReport.count(b, new RowMajorBanks(16, 4));
        assertEquals(0, naive.writeStalls());
        assertEquals(4 * 3, naive.readStalls(), "every column read hits one bank four times");
        assertEquals(4, naive.worstGroup());
        SkewedBanks skewed = new SkewedBanks(b, 4);
        ConflictReport good = ConflictReport.count(b, skewed);
        assertEquals(0, good.stalls());
        assertNull(ConflictReport.bijectionProblem(skewed, 16));
    }

    @Test
    void plansAreConflictFreeSkewedAndNotRowMajor() {
        List<ContractionPlan> plans =
                List.of(
                        ContractionPlanner.plan(
                                HtFormat.uniform(
                                        new int[] {16, 4, 4, 4}, new int[] {16, 15, 22, 11}, 4),
                                1),
                        ContractionPlanner.plan(
                                HtFormat.uniform(
                                        new int[] {16, 4, 4, 4}, new int[] {16, 15, 22, 11}, 4),
                                2),
                        ContractionPlanner.planUnfused(
                                HtFormat.uniform(
                                        new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, 4),
                                1),
                        ContractionPlanner.tieOrder(
                                TtFormat.uniform(
                                        new int[] {4, 4, 4, 4}, new int[] {8, 20, 20, 18}, 4),
                                1));
        for (ContractionPlan p : plans) {
            BankedLayout skewed = BankedLayout.skewed(p, 16), naive = BankedLayout.rowMajor(p, 16);
            assertEquals(0, skewed.totalStalls(), skewed.toTable());
            for (int i = 0; i < skewed.boundaries().size(); i++) {
                assertNull(
                        ConflictReport.bijectionProblem(
                                skewed.mappings().get(i), skewed.boundaries().get(i).size()));
            }
            long transposingReadStalls = 0;
            for (ConflictReport c : naive.conflicts()) {
                assertEquals(0, c.writeStalls(), c.label());
                if (!c.transposes()) assertEquals(0, c.readStalls(), c.label());
                else transposingReadStalls += c.readStalls();
            }
            assertTrue(
                    transposingReadStalls > 0,
                    "row-major should stall on some transposing boundary:\n" + naive.toTable());
        }
    }

    @Test
    void awkwardSizesAndBankCounts() {
        int[][] shapes = {{1, 1}, {1, 7}, {3, 5}, {13, 17}, {2, 3, 5, 7}, {31, 1, 33}};
        for (int[] s : shapes) {
            List<Axis> w = new java.util.ArrayList<>();
            for (int k = 0; k < s.length; k++) w.add(Axis.col(k, s[k]));
            List<Axis> r = new java.util.ArrayList<>(w);
            java.util.Collections.reverse(r);
            Boundary b = new Boundary("shape " + java.util.Arrays.toString(s), w, r);
            for (int banks : new int[] {1, 2, 16, 64}) {
                SkewedBanks m = new SkewedBanks(b, banks);
                assertEquals(0, ConflictReport.count(b, m).stalls(), b.label() + " banks " + banks);
                assertNull(
                        ConflictReport.bijectionProblem(m, b.size()),
                        b.label() + " banks " + banks);
            }
        }
    }

    @Test
    void badBankCountsAreNamed() {
        ContractionPlan p =
                ContractionPlanner.plan(HtFormat.uniform(new int[] {2, 2}, new int[] {2, 2}, 2), 1);
        for (int bad : new int[] {0, 3, 12, 2048, -4}) {
            var e = assertThrows(IllegalArgumentException.class, () -> BankedLayout.skewed(p, bad));
            assertTrue(e.getMessage().contains(Integer.toString(bad)), e.getMessage());
        }
    }

    @Test
    void lstmUcfAtBatch16IsConflictFree() {
        ContractionPlan p =
                ContractionPlanner.plan(
                        HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {11, 11, 15, 32}, 4),
                        16);
        BankedLayout skewed = BankedLayout.skewed(p, 16);
        assertEquals(0, skewed.totalStalls(), skewed.toTable());
        assertTrue(BankedLayout.rowMajor(p, 16).totalStalls() > 0);
    }
}
