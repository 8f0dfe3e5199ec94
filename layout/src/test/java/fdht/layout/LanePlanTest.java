package fdht.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.banks.ConflictReport;
import fdht.layout.banks.LaneBanks;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lane layout's description is one: every stage input's {@link LaneBanks} is a bijection onto
 * its buffer, and the reduced step's address tables reach, for every row, contracted index and
 * lane, exactly the float the mapping gives that element.
 */
class LanePlanTest {
    static List<CompiledPlan> plans(Arena arena) {
        List<CompiledPlan> out = new ArrayList<>();
        HtFormat[] hts = {
            HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4),
            HtFormat.withCappedRanks(
                    new int[] {2, 4, 2, 4}, new int[] {4, 5, 4, 6}, DimensionTree.leftComb(4), 3),
            HtFormat.uniform(new int[] {4, 8, 2}, new int[] {16, 3, 5}, 2),
            HtFormat.uniform(new int[] {16, 4, 4, 2}, new int[] {4, 8, 11, 12}, 4),
            // at batch 1, no row axis to take lanes from: the first stage contracts the leading
            // axis (4x4 by 6x6), the second has only i2 = 1 as a row (4x1 by 7x6)
            HtFormat.uniform(new int[] {4, 4}, new int[] {6, 6}, 3),
            HtFormat.uniform(new int[] {4, 1}, new int[] {7, 6}, 4),
        };
        for (HtFormat f : hts) {
            HtMatrix w = HtMatrix.random(f, 3, arena);
            for (int batch : new int[] {1, 3, 16})
                out.add(CompiledPlan.compile(ContractionPlanner.plan(f, batch), w, arena));
        }
        TtFormat tt = TtFormat.uniform(new int[] {4, 4, 2}, new int[] {8, 4, 5}, 3);
        out.add(
                CompiledPlan.compile(
                        ContractionPlanner.tieOrder(tt, 1), TtMatrix.random(tt, 4, arena), arena));
        return out;
    }

    @Test
    void theReducedStepsAddressWhatTheLaneBanksMap() {
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (CompiledPlan cp : plans(arena)) {
                for (int lanes : new int[] {4, 8, 16}) {
                    // uncapped, every plan has a lane layout, however padded
                    LanePlan lp = LanePlan.of(cp, lanes, Double.POSITIVE_INFINITY).orElseThrow();
                    for (int s = 0; s < cp.stageCount(); s++) {
                        check(cp, lp, s);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 40, "only " + checked + " stages checked");
    }

    /**
     * A stage with no row axis to take lanes from takes the empty group (one lane of each vector
     * used); the default cap then refuses the plan, whose padded work is the DP's cost.
     */
    @Test
    void aStageWithoutRowAxesTakesTheEmptyGroupAndTheCapRefusesThePadding() {
        try (Arena arena = Arena.ofConfined()) {
            HtFormat first = HtFormat.uniform(new int[] {4, 4}, new int[] {6, 6}, 3);
            HtFormat second = HtFormat.uniform(new int[] {4, 1}, new int[] {7, 6}, 4);
            for (HtFormat f : new HtFormat[] {first, second}) {
                ContractionPlan p = ContractionPlanner.plan(f, 1);
                CompiledPlan cp = CompiledPlan.compile(p, HtMatrix.random(f, 3, arena), arena);
                LanePlan lp = LanePlan.of(cp, 16, Double.POSITIVE_INFINITY).orElseThrow();
                int s = f == first ? 0 : 1;
                assertEquals(List.of(), lp.group(s), f + " stage " + (s + 1));
                assertTrue(lp.padded(), f.toString());
                double ratio = LanePlan.workRatio(p, 16);
                assertTrue(ratio > LanePlan.MAX_WASTE, f + ": work ratio " + ratio);
                assertTrue(LanePlan.of(cp, 16).isEmpty(), f.toString());
                assertTrue(LanePlan.describe(p, 16).isEmpty(), f.toString());
                // describe follows the cap it is given, as of does (fdht inspect passes the
                // kernels' fdht.laneMaxWaste)
                assertEquals(
                        LanePlan.describe(p, 16, Double.POSITIVE_INFINITY).orElseThrow(),
                        lp.toString(),
                        f.toString());
            }
            // LSTM-UCF's plan needs no padding at 16 lanes: work ratio the transposes only
            HtFormat ucf = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4);
            double ucfRatio = LanePlan.workRatio(ContractionPlanner.plan(ucf, 1), 16);
            assertTrue(ucfRatio >= 1 && ucfRatio < 1.1, "LSTM-UCF work ratio " + ucfRatio);
        }
    }

    @Test
    void aCapBelowOneIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            CompiledPlan cp = plans(arena).getFirst();
            assertThrows(IllegalArgumentException.class, () -> LanePlan.of(cp, 16, 0.5));
            assertThrows(IllegalArgumentException.class, () -> LanePlan.of(cp, 16, Double.NaN));
        }
    }

    @Test
    void aBatchOfWholeChunksTakesTheBatchAsItsLanesWithoutTransposes() {
        try (Arena arena = Arena.ofConfined()) {
            HtFormat f = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4);
            CompiledPlan cp =
                    CompiledPlan.compile(
                            ContractionPlanner.plan(f, 16), HtMatrix.random(f, 3, arena), arena);
            LanePlan lp = LanePlan.of(cp, 16).orElseThrow();
            for (int s = 0; s < cp.stageCount(); s++) {
                assertEquals(List.of(Axis.batch(16)), lp.group(s), "stage " + (s + 1));
                assertNull(lp.transposeSource(s), "stage " + (s + 1));
            }
        }
    }

    private static void check(CompiledPlan cp, LanePlan lp, int s) {
        LaneBanks banks = lp.inputBanks(s);
        Stage st = cp.step(s).stage();
        List<Axis> layout =
                st.input().stream()
                        .filter(a -> a.kind() != Axis.Kind.BATCH || a.size() > 1)
                        .toList();
        int n = (int) Stage.product(layout);
        String where = lp + ", stage " + (s + 1);
        assertNull(ConflictReport.bijectionProblem(banks, n), where);
        List<Axis> group = lp.group(s);
        long g = Stage.product(group);
        List<Axis> rest = layout.stream().filter(a -> !group.contains(a)).toList();
        List<Axis> restRows = st.rows().stream().filter(rest::contains).toList();
        CompiledPlan.Step step = lp.step(s);
        int lanes = lp.lanes();
        int[] value = new int[layout.size()];
        for (int r = 0; r < step.p(); r++) {
            // reduced row r = (chunk, rest rows)
            long restPart = r % Stage.product(restRows), chunk = r / Stage.product(restRows);
            set(restPart, restRows, layout, value);
            for (int c = 0; c < step.c(); c++) {
                set(c, st.contracted(), layout, value);
                for (int l = 0; l < lanes; l++) {
                    long flat = chunk * lanes + l;
                    if (flat >= g) continue; // padding lane
                    set(flat, group, layout, value);
                    long w = 0;
                    for (int i = 0; i < layout.size(); i++) w = w * layout.get(i).size() + value[i];
                    long want = banks.floatIndex(w);
                    long got = ((long) step.rowBase(r) + step.contractedOffset(c)) * lanes + l;
                    if (want != got)
                        assertEquals(
                                want, got, where + ", row " + r + " index " + c + " lane " + l);
                }
            }
        }
    }

    private static void set(long flat, List<Axis> axes, List<Axis> layout, int[] value) {
        for (int k = axes.size() - 1; k >= 0; k--) {
            Axis a = axes.get(k);
            int at = layout.indexOf(a);
            if (at >= 0) value[at] = (int) (flat % a.size());
            flat /= a.size();
        }
    }
}
