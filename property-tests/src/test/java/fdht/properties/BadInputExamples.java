package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.KernelProvider;
import fdht.kernels.PlanExecutor;
import fdht.kernels.PlanWorkspace;
import fdht.kernels.lstm.Lstm;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.function.Executable;

/** Bad shapes, ranks and buffers give IllegalArgumentException naming the problem. */
class BadInputExamples {

    static void expect(String fragment, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(
                ex.getMessage().contains(fragment),
                "message '" + ex.getMessage() + "' should name '" + fragment + "'");
    }

    @Property(tries = 50)
    void aNonPositiveFactorIsNamed(
            @ForAll @IntRange(min = 2, max = 6) int d,
            @ForAll @IntRange(min = 0, max = 5) int at,
            @ForAll @IntRange(min = -3, max = 0) int bad,
            @ForAll boolean row) {
        int k = at % d;
        int[] m = new int[d], n = new int[d];
        java.util.Arrays.fill(m, 2);
        java.util.Arrays.fill(n, 3);
        (row ? m : n)[k] = bad;
        int[] ranks = new int[2 * d - 1];
        java.util.Arrays.fill(ranks, 1);
        expect(
                (row ? "m" : "n") + (k + 1),
                () -> new HtFormat(m, n, DimensionTree.balanced(d), ranks));
    }

    @Property(tries = 50)
    void aRankAboveItsCapIsNamed(
            @ForAll @IntRange(min = 2, max = 5) int d, @ForAll @IntRange(min = 0, max = 8) int at) {
        DimensionTree tree = DimensionTree.balanced(d);
        int[] m = new int[d], n = new int[d];
        java.util.Arrays.fill(m, 2);
        java.util.Arrays.fill(n, 2);
        int node = at % (tree.nodeCount() - 1); // not the root
        int[] ranks = new int[tree.nodeCount()];
        java.util.Arrays.fill(ranks, 1);
        ranks[node] = tree.isLeaf(node) ? 5 : 2; // leaf cap 4; interior cap 1*1
        String name = tree.isLeaf(node) ? "leaf " + (node + 1) : "node " + (node + 1);
        expect(name, () -> new HtFormat(m, n, tree, ranks));
    }

    @Example
    void structuralErrors() {
        expect(
                "root",
                () ->
                        new HtFormat(
                                new int[] {2, 2},
                                new int[] {2, 2},
                                DimensionTree.balanced(2),
                                new int[] {1, 1, 2}));
        expect("order d=1", () -> DimensionTree.balanced(1));
        expect("order d=9", () -> DimensionTree.balanced(9));
        expect("mode 3", () -> DimensionTree.parse("((1,3),2)"));
        expect("expected", () -> DimensionTree.parse("((1,2),3"));
        expect(
                "3 ranks",
                () ->
                        new HtFormat(
                                new int[] {2, 2, 2},
                                new int[] {2, 2, 2},
                                DimensionTree.balanced(3),
                                new int[] {1, 1, 1}));
    }

    @Example
    void lstmAndExecutorErrors() {
        try (Arena arena = Arena.ofConfined()) {
            HtMatrix ht =
                    HtMatrix.random(
                            HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2), 1, arena);
            expect("bias needs 4H = 8", () -> Lstm.fdht(ht, 5, new float[7], arena));
            HtMatrix notGates =
                    HtMatrix.random(
                            HtFormat.uniform(new int[] {3, 2}, new int[] {3, 4}, 2), 1, arena);
            expect("rows but 4H", () -> Lstm.fdht(notGates, 5, new float[4], arena));
            expect("N_x + H = 13", () -> Lstm.fdht(ht, 11, new float[8], arena));
            CompiledPlan cp =
                    CompiledPlan.compile(ContractionPlanner.plan(ht.format(), 1), ht, arena);
            PlanWorkspace ws = new PlanWorkspace(cp, arena);
            MemorySegment y = Weights.floats(arena, cp.resultSize());
            expect(
                    "heap",
                    () ->
                            PlanExecutor.apply(
                                    cp,
                                    MemorySegment.ofArray(new float[12]),
                                    0,
                                    y,
                                    0,
                                    ws,
                                    KernelProvider.kernels()));
            MemorySegment x = Weights.floats(arena, 12);
            expect(
                    "output needs 8 floats",
                    () ->
                            PlanExecutor.apply(
                                    cp, x, 0, arena.allocate(16), 0, ws, KernelProvider.kernels()));
            float[] nan = new float[8];
            nan[3] = Float.NaN;
            expect("index 3", () -> Lstm.fdht(ht, 5, nan, arena));
        }
    }

    @Example
    void closedArenaIsAnIllegalStateNotACrash() {
        Arena arena = Arena.ofConfined();
        HtMatrix ht =
                HtMatrix.random(HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2), 1, arena);
        arena.close();
        assertThrows(IllegalStateException.class, () -> ht.leaf(0, 0, 0, 0));
    }

    @Example
    void kernelsAreTheOnesThisRunAskedFor() {
        String expected = System.getProperty("fdht.expectKernels");
        Assume.that(
                expected != null); // fdht.expectKernels unset (outside Maven): nothing was asked
        // for, so the example is skipped
        String name = KernelProvider.kernels().name();
        assertTrue(
                name.startsWith(expected),
                "this run asked for " + expected + " kernels but " + name + " were chosen");
    }
}
