package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Axis;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.Stage;
import fdht.layout.banks.BankedLayout;
import fdht.layout.banks.Boundary;
import fdht.layout.banks.ConflictReport;
import fdht.layout.banks.RowMajorBanks;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The banked layout: every plan the planner emits is conflict-free under the skewed mapping, which
 * is a bijection without padding; the naive row-major layout never stalls where the reader keeps
 * the writer's order, and provably stalls where it does not in the way a transpose does (a reader
 * run whose writer stride is a multiple of the bank count). Would fail on a wrong edge colouring, a
 * boundary built from the wrong axes, or a conflict counter that misses collisions.
 */
class LayoutProperties {
    record Case(ContractionPlan plan, int banks) {
        @Override
        public String toString() {
            return plan.format() + " batch " + plan.batch() + " banks " + banks;
        }
    }

    @Provide
    Arbitrary<Case> plans() {
        return Arbitraries.integers()
                .between(2, 5)
                .flatMap(
                        d ->
                                Combinators.combine(
                                                Arbitraries.integers()
                                                        .between(1, 9)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers()
                                                        .between(1, 9)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers().between(0, 2),
                                                Arbitraries.longs(),
                                                Arbitraries.integers()
                                                        .between(1, 6)
                                                        .array(int[].class)
                                                        .ofSize(2 * d - 1),
                                                Arbitraries.integers().between(1, 4),
                                                Arbitraries.of(1, 2, 4, 8, 16, 32),
                                                Arbitraries.of(true, false))
                                        .as(
                                                (m, n, kind, seed, ranks, batch, banks, fuse) -> {
                                                    int[] mm = m.clone(), nn = n.clone();
                                                    Formats.capSize(mm, nn, 20_000);
                                                    HtFormat f =
                                                            Formats.format(
                                                                    mm, nn, kind, seed, ranks);
                                                    return new Case(
                                                            fuse
                                                                    ? ContractionPlanner.plan(
                                                                            f, batch)
                                                                    : ContractionPlanner
                                                                            .planUnfused(f, batch),
                                                            banks);
                                                }));
    }

    @Property(tries = 150)
    void skewedLayoutIsConflictFreeAndABijection(@ForAll("plans") Case c) {
        BankedLayout skewed = BankedLayout.skewed(c.plan(), c.banks());
        assertEquals(0, skewed.totalStalls(), skewed.toTable());
        for (int i = 0; i < skewed.boundaries().size(); i++) {
            assertNull(
                    ConflictReport.bijectionProblem(
                            skewed.mappings().get(i), skewed.boundaries().get(i).size()),
                    skewed.boundaries().get(i).label());
        }
    }

    @Property(tries = 150)
    void rowMajorStallsExactlyWhereTheReaderTransposes(@ForAll("plans") Case c) {
        BankedLayout naive = BankedLayout.rowMajor(c.plan(), c.banks());
        for (int i = 0; i < naive.boundaries().size(); i++) {
            Boundary b = naive.boundaries().get(i);
            ConflictReport r = naive.conflicts().get(i);
            assertEquals(
                    0, r.writeStalls(), b.label() + ": the writer's own order never conflicts");
            if (!b.transposes())
                assertEquals(
                        0,
                        r.readStalls(),
                        b.label() + ": a reader in the writer's order never conflicts");
            // the reader's innermost axis: if it has two or more elements and a writer stride that
            // is a multiple of B,
            // the first reader group holds two elements of one bank (positions 0 and 1 of the same
            // run)
            List<Axis> reader = b.readerAxes().stream().filter(a -> a.size() > 1).toList();
            if (reader.isEmpty() || c.banks() < 2) continue;
            Axis inner = reader.getLast();
            long stride = Stage.rowMajorStrides(b.writerAxes())[b.writerAxes().indexOf(inner)];
            if (stride % c.banks() == 0) {
                assertTrue(
                        r.readStalls() > 0,
                        b.label()
                                + ": inner reader axis "
                                + inner
                                + " has writer stride "
                                + stride
                                + " but no stall was counted");
            }
        }
    }

    @Property(tries = 60)
    void conflictCounterMatchesABruteForceCount(@ForAll("plans") Case c) {
        for (Boundary b : Boundary.of(c.plan())) {
            RowMajorBanks m = new RowMajorBanks(b.size(), c.banks());
            int[] order = b.readerOrder();
            long stalls = 0;
            for (int g = 0; g < b.size(); g += c.banks()) {
                java.util.Map<Integer, Integer> count = new java.util.HashMap<>();
                for (int r = g; r < Math.min(b.size(), g + c.banks()); r++)
                    count.merge(m.bank(order[r]), 1, Integer::sum);
                stalls += count.values().stream().mapToInt(Integer::intValue).max().orElse(1) - 1;
            }
            assertEquals(stalls, ConflictReport.count(b, m).readStalls(), b.label());
        }
    }
}
