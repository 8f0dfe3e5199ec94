package fdht.train.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
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
import net.jqwik.api.Provide;

/**
 * Reverse mode through a contraction plan: for random small trees, ranks, factors, batches and
 * plans (the cheapest fused one, or a random valid unfused order), the gradient of {@code L = sum g
 * . (W x)} with respect to every node tensor, computed by the tape's backward (JVM's backward
 * kernels) and the packing's chain rule, equals central finite differences of a double-precision
 * dense reconstruction; so does {@code dL/dx}. Packing equals what {@code CompiledPlan.compile}
 * packs. Would fail on a wrong table, a wrong fused chain, a wrong transpose of a fused sibling, or
 * a kernel tail bug.
 */
class PlanGradientProperties {

    record Case(HtFormat format, int batch, boolean fused, long seed) {
        @Override
        public String toString() {
            return format + " batch " + batch + (fused ? " fused" : " unfused") + " seed " + seed;
        }
    }

    record TtCase(TtFormat format, int batch, long seed) {
        @Override
        public String toString() {
            return format + " batch " + batch + " seed " + seed;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.integers()
                .between(2, 4)
                .flatMap(
                        d ->
                                Combinators.combine(
                                                Arbitraries.integers()
                                                        .between(1, 4)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers()
                                                        .between(1, 5)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers().between(0, 2),
                                                Arbitraries.integers()
                                                        .between(1, 3)
                                                        .array(int[].class)
                                                        .ofSize(2 * d - 1),
                                                Arbitraries.of(1, 2, 3, 17),
                                                Arbitraries.of(true, false),
                                                Arbitraries.longs())
                                        .as(
                                                (m, n, kind, ranks, batch, fused, seed) ->
                                                        new Case(
                                                                format(m, n, kind, seed, ranks),
                                                                batch,
                                                                fused,
                                                                seed)));
    }

    @Provide
    Arbitrary<TtCase> ttCases() {
        return Arbitraries.integers()
                .between(2, 4)
                .flatMap(
                        d ->
                                Combinators.combine(
                                                Arbitraries.integers()
                                                        .between(1, 4)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers()
                                                        .between(1, 5)
                                                        .array(int[].class)
                                                        .ofSize(d),
                                                Arbitraries.integers().between(1, 3),
                                                Arbitraries.of(1, 2, 3, 17),
                                                Arbitraries.longs())
                                        .as(
                                                (m, n, r, batch, seed) ->
                                                        new TtCase(
                                                                TtFormat.uniform(m, n, r),
                                                                batch,
                                                                seed)));
    }

    static HtFormat format(int[] m, int[] n, int kind, long seed, int[] raw) {
        int d = m.length;
        DimensionTree tree =
                switch (kind) {
                    case 0 -> DimensionTree.balanced(d);
                    case 1 -> DimensionTree.leftComb(d);
                    default -> DimensionTree.parse(render(0, d, new SplittableRandom(seed)));
                };
        int[] r = new int[tree.nodeCount()];
        for (int t = 0; t < tree.nodeCount(); t++) {
            if (t == tree.root()) r[t] = 1;
            else if (tree.isLeaf(t)) r[t] = Math.min(raw[t], m[t] * n[t]);
            else r[t] = Math.min(raw[t], r[tree.left(t)] * r[tree.right(t)]);
        }
        return new HtFormat(m, n, tree, r);
    }

    private static String render(int lo, int hi, SplittableRandom r) {
        if (hi - lo == 1) return Integer.toString(lo + 1);
        int mid = lo + 1 + r.nextInt(hi - lo - 1);
        return "(" + render(lo, mid, r) + "," + render(mid, hi, r) + ")";
    }

    @Property(tries = 120)
    void htGradientEqualsFiniteDifferences(@ForAll("cases") Case c) {
        HtFormat f = c.format();
        ContractionPlan plan =
                c.fused() ? ContractionPlanner.plan(f, 1) : randomUnfused(f, 1, c.seed());
        double[][] nodes = randomNodes(f.tree().nodeCount(), f::nodeSize, c.seed());
        check(
                new HtPacking(f),
                plan,
                nodes,
                (arena, fl) -> HtMatrix.of(f, fl, arena),
                w -> DoubleReference.ht(f, w),
                f.rows(),
                f.cols(),
                c.batch(),
                c.seed());
    }

    @Property(tries = 80)
    void ttGradientEqualsFiniteDifferences(@ForAll("ttCases") TtCase c) {
        TtFormat f = c.format();
        ContractionPlan plan = ContractionPlanner.tieOrder(f, 1);
        double[][] nodes = randomNodes(f.order(), f::coreSize, c.seed());
        check(
                new TtPacking(f),
                plan,
                nodes,
                (arena, fl) -> TtMatrix.of(f, fl, arena),
                w -> DoubleReference.tt(f, w),
                f.rows(),
                f.cols(),
                c.batch(),
                c.seed());
    }

    static ContractionPlan randomUnfused(HtFormat f, int batch, long seed) {
        // a random valid order: repeatedly pick a leaf not done or a node whose children are done
        DimensionTree tree = f.tree();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        boolean[] done = new boolean[tree.nodeCount()];
        int[] order = new int[tree.nodeCount()];
        for (int k = 0; k < order.length; k++) {
            int pick;
            do {
                pick = r.nextInt(tree.nodeCount());
            } while (done[pick]
                    || !tree.isLeaf(pick) && (!done[tree.left(pick)] || !done[tree.right(pick)])
                    || pick == tree.root() && k < order.length - 1);
            done[pick] = true;
            order[k] = pick;
        }
        return ContractionPlanner.planInOrder(f, batch, order);
    }

    static double[][] randomNodes(int count, java.util.function.IntUnaryOperator size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] nodes = new double[count][];
        for (int t = 0; t < count; t++) {
            nodes[t] = new double[size.applyAsInt(t)];
            for (int e = 0; e < nodes[t].length; e++)
                nodes[t][e] = (float) (r.nextDouble() * 2 - 1);
        }
        return nodes;
    }

    interface Build {
        fdht.layout.PlanFactors of(Arena arena, float[][] nodes);
    }

    interface Dense {
        double[] of(double[][] nodes);
    }

    static void check(
            FactorPacking packing,
            ContractionPlan plan,
            double[][] nodes,
            Build build,
            Dense dense,
            int rows,
            int cols,
            int batch,
            long seed) {
        try (Arena arena = Arena.ofConfined()) {
            float[][] fl = new float[nodes.length][];
            MemorySegment[] seg = new MemorySegment[nodes.length],
                    grad = new MemorySegment[nodes.length];
            for (int t = 0; t < nodes.length; t++) {
                fl[t] = new float[nodes[t].length];
                for (int e = 0; e < fl[t].length; e++) fl[t][e] = (float) nodes[t][e];
                seg[t] = Weights.copyOf(arena, fl[t]);
                grad[t] = Weights.floats(arena, fl[t].length);
            }
            CompiledPlan compiled = CompiledPlan.compile(plan, build.of(arena, fl), arena);
            MemorySegment factors = PlanTape.factorBuffer(compiled, arena);
            packing.pack(compiled, seg, factors);
            long nf = compiled.factors().byteSize() / Float.BYTES - Weights.SLACK_FLOATS;
            for (long e = 0; e < nf; e++) {
                float want = compiled.factors().getAtIndex(ValueLayout.JAVA_FLOAT, e);
                assertEquals(
                        want,
                        factors.getAtIndex(ValueLayout.JAVA_FLOAT, e),
                        1e-6 * Math.max(1, Math.abs(want)),
                        "packed factor " + e);
            }
            SplittableRandom r = new SplittableRandom(seed + 7);
            float[] x = new float[batch * cols], g = new float[batch * rows];
            for (int e = 0; e < x.length; e++) x[e] = (float) (r.nextDouble() * 2 - 1);
            for (int e = 0; e < g.length; e++) g[e] = (float) (r.nextDouble() * 2 - 1);
            PlanTape tape =
                    new PlanTape(compiled, batch, KernelProvider.kernels().lanes(), 1, arena);
            tape.enter(0, Weights.copyOf(arena, x), 0, cols, 0, cols, KernelProvider.kernels());
            MemorySegment y = Weights.floats(arena, (long) batch * rows);
            tape.forward(
                    0, factors.toArray(ValueLayout.JAVA_FLOAT), y, 0, KernelProvider.kernels());
            MemorySegment dy = Weights.copyOf(arena, g),
                    dx = Weights.floats(arena, (long) batch * cols);
            MemorySegment dF = PlanTape.factorBuffer(compiled, arena);
            tape.backward(0, factors, dy, 0, true, dF, BackwardProvider.kernels());
            tape.inputGradient(0, cols, dx, 0, cols);
            packing.unpack(compiled, seg, dF, grad);

            // node gradients against central differences in double
            double h = 1e-4;
            double scale = 1;
            for (float v : x) scale = Math.max(scale, Math.abs(v));
            for (int t = 0; t < nodes.length; t++) {
                for (int e = 0; e < nodes[t].length; e++) {
                    double keep = nodes[t][e];
                    nodes[t][e] = keep + h;
                    double up =
                            DoubleReference.weightedOutput(
                                    dense.of(nodes), rows, cols, x, g, batch);
                    nodes[t][e] = keep - h;
                    double down =
                            DoubleReference.weightedOutput(
                                    dense.of(nodes), rows, cols, x, g, batch);
                    nodes[t][e] = keep;
                    double fd = (up - down) / (2 * h);
                    double got = grad[t].getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    // float sums over batch * rows * cols products of terms bounded by ~1 each:
                    // rounding grows like the square root of the count;
                    // the finite difference itself is exact to ~h^2 for this multilinear L
                    double tol =
                            2e-5 * Math.sqrt((double) batch * rows * cols) * scale
                                    + 1e-4 * Math.abs(fd);
                    assertEquals(fd, got, tol, "dL/d node " + (t + 1) + " [" + e + "]");
                }
            }
            // input gradient: dL/dx = W^T g
            double[] w = dense.of(nodes);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) s += w[i * cols + j] * g[b * rows + i];
                    assertEquals(
                            s,
                            dx.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * cols + j),
                            1e-5 * rows * 4 + 1e-5 * Math.abs(s),
                            "dL/dx[" + b + "][" + j + "]");
                }
        }
    }
}
