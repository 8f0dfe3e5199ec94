package fdht.kernels.decompose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.DenseReconstruction;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Full ranks stop at the exact rank of each node's matricization (the product of the mode sizes on
 * the smaller side, and for a transfer tensor its children's ranks' product): the round-off
 * eigenvalues of a Gram no longer pad a node past it (they once gave 109-114 where 96 is exact, a
 * model 2.9x the dense size), and the result is still exact.
 */
class FullRankCapTest {
    @Test
    void fullRanksAreTheExactMaximaAndStayExact() {
        // mode sizes 8, 4, 6, 4: node (1,2) spans 32 entries inside and 24 outside, node (3,4) 24
        // and 32, so both hold at most 24 although their children's ranks allow 32 and 24
        int[] m = {4, 2, 2, 2}, n = {2, 2, 3, 2};
        DimensionTree tree = DimensionTree.balanced(4);
        int rows = 32, cols = 24;
        float[] w = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextDouble() * 2 - 1);
        try (Arena arena = Arena.ofConfined()) {
            HtDecomposition.Result r =
                    HtDecomposition.decompose(w, cols, m, n, tree, Truncation.full(), arena);
            assertArrayEquals(new int[] {8, 4, 6, 4, 24, 24, 1}, r.matrix().format().ranks());
            for (int t = 0; t < tree.nodeCount() - 1; t++)
                assertTrue(
                        r.matrix().format().rank(t)
                                <= HtFormat.maximumRank(m, n, tree, t, r.matrix().format().ranks()),
                        "node " + (t + 1));
            float[] back =
                    Weights.toArray(DenseReconstruction.of(r.matrix(), cols, arena), 0, w.length);
            assertTrue(
                    DecompositionTest.relativeError(w, back) < 1e-5,
                    "still exact: " + DecompositionTest.relativeError(w, back));
        }
    }
}
