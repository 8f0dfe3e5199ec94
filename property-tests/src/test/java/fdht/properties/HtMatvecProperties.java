package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.KernelProvider;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * HT matvec: the Vector API kernels, the scalar reference and the dense reconstruction agree, and
 * every valid contraction order computes the same {@code y} (the planner's cheapest one included).
 * Would fail on a wrong stride or offset table, a wrong factor packing, a kernel tail or mask bug,
 * a planner that fuses wrongly, or a reconstruction bug.
 */
class HtMatvecProperties {

    record Case(HtFormat format, int batch, long seed) {
        @Override
        public String toString() {
            return format + " batch " + batch + " seed " + seed;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> order = Arbitraries.integers().between(2, 6);
        return order.flatMap(
                d ->
                        Combinators.combine(
                                        Arbitraries.integers()
                                                .between(1, 20)
                                                .array(int[].class)
                                                .ofSize(d),
                                        Arbitraries.integers()
                                                .between(1, 20)
                                                .array(int[].class)
                                                .ofSize(d),
                                        Arbitraries.integers().between(0, 2),
                                        Arbitraries.longs(),
                                        Arbitraries.integers()
                                                .between(1, 12)
                                                .array(int[].class)
                                                .ofSize(2 * d - 1),
                                        Arbitraries.integers().between(1, 17),
                                        Arbitraries.longs())
                                .as(
                                        (m, n, kind, treeSeed, ranks, batch, seed) -> {
                                            int[] mm = m.clone(), nn = n.clone();
                                            Formats.capSize(mm, nn, 60_000);
                                            return new Case(
                                                    Formats.format(mm, nn, kind, treeSeed, ranks),
                                                    batch,
                                                    seed);
                                        }));
    }

    @Property(tries = 150)
    void simdEqualsScalarEqualsDense(@ForAll("cases") Case c) {
        HtFormat f = c.format();
        try (Arena arena = Arena.ofConfined()) {
            HtMatrix ht = HtMatrix.random(f, c.seed(), arena);
            ContractionPlan plan = ContractionPlanner.plan(f, c.batch());
            float[] x = Numerics.random(c.batch() * f.cols(), c.seed() + 1, 1);
            float[] simd = Numerics.run(plan, ht, x, KernelProvider.kernels(), arena);
            float[] scalar = Numerics.run(plan, ht, x, KernelProvider.scalar(), arena);
            double[] dense =
                    Numerics.dense(
                            DenseReconstruction.of(ht, f.cols(), arena),
                            f.rows(),
                            f.cols(),
                            x,
                            c.batch());
            float[] bound = Numerics.absBound(plan, ht, x, arena);
            double chain = Numerics.chain(plan, f.cols());
            for (int e = 0; e < simd.length; e++) {
                double tol = 2 * Numerics.U * chain * bound[e];
                assertEquals(scalar[e], simd[e], tol, "SIMD vs scalar at " + e);
                assertEquals(dense[e], scalar[e], tol, "scalar vs dense at " + e);
            }
        }
    }

    @Property(tries = 80)
    void everyValidOrderGivesTheSameResultAndThePlannerIsCheapest(
            @ForAll("cases") Case c, @ForAll long orderSeed) {
        HtFormat f = c.format();
        try (Arena arena = Arena.ofConfined()) {
            HtMatrix ht = HtMatrix.random(f, c.seed(), arena);
            ContractionPlan best = ContractionPlanner.plan(f, c.batch());
            ContractionPlan other =
                    ContractionPlanner.planInOrder(f, c.batch(), randomOrder(f.tree(), orderSeed));
            assertTrue(
                    best.totalMacs() <= other.totalMacs(),
                    "planner " + best.totalMacs() + " MACs, a random order " + other.totalMacs());
            float[] x = Numerics.random(c.batch() * f.cols(), c.seed() + 1, 1);
            float[] a = Numerics.run(best, ht, x, KernelProvider.kernels(), arena);
            float[] b = Numerics.run(other, ht, x, KernelProvider.kernels(), arena);
            float[] bound = Numerics.absBound(other, ht, x, arena);
            double chain = Numerics.chain(best, 0) + Numerics.chain(other, 0);
            for (int e = 0; e < a.length; e++) {
                assertEquals(
                        b[e],
                        a[e],
                        2 * Numerics.U * chain * bound[e],
                        "planner order vs random order at " + e);
            }
        }
    }

    /** A uniformly random topological order: children before parents. */
    static int[] randomOrder(DimensionTree tree, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = tree.nodeCount();
        int[] order = new int[n];
        int mask = 0;
        for (int s = 0; s < n; s++) {
            List<Integer> ready = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                if ((mask >> t & 1) == 1) continue;
                if (tree.isLeaf(t)
                        || (mask >> tree.left(t) & 1) == 1 && (mask >> tree.right(t) & 1) == 1)
                    ready.add(t);
            }
            order[s] = ready.get(r.nextInt(ready.size()));
            mask |= 1 << order[s];
        }
        return order;
    }
}
