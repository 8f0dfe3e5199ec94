package fdht.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.PlannedProjection;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
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

    @Test
    void aFullRankConversionOfAnLstmLayerHasTheFullFormatsRanks() {
        // N_x 20, H 4: [x ; h] is 16 x 24, the factors above; full ranks are the exact maxima
        int input = 20, hidden = 4;
        try (Arena arena = Arena.ofConfined()) {
            float[] values = new float[16 * 24];
            SplittableRandom rnd = new SplittableRandom(5);
            for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
            Lstm dense =
                    Lstm.dense(Weights.copyOf(arena, values), input, hidden, new float[16], arena);
            GateFactors factors =
                    new GateFactors(4, new int[] {2, 2, 2, 2}, new int[] {2, 2, 3, 2}, null, false);
            var target =
                    (LayerFormat.Planned)
                            LayerFormat.parse(
                                    "fdht", RankSpec.parse("full"), input, hidden, factors);
            LayerDecomposition.Result c =
                    LayerDecomposition.compress(dense, target, 0, arena, null);
            HtMatrix ht = (HtMatrix) ((PlannedProjection) c.layer().projection()).weights();
            // mode sizes 4, 4, 6, 4 (384): node (1,2) at most min(16, 24), node (3,4) min(24, 16)
            assertArrayEquals(new int[] {4, 4, 6, 4, 16, 16, 1}, ht.format().ranks());
            assertArrayEquals(target.matrix().rowFactors(), ht.format().rowFactors());
            assertTrue(c.relativeError() < 1e-5, "exact: " + c.relativeError());
        }
    }
}
