package fdht.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.DenseReconstruction;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecompositionTest {

    static float[] dense(MemorySegment w, int n) {
        return Weights.toArray(w, 0, n);
    }

    static double relativeError(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            den += (double) a[i] * a[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void fullRankHtRoundTripIsExact() {
        Object[][] cases = {
            {new int[] {2, 3}, new int[] {3, 2}, DimensionTree.balanced(2)},
            {new int[] {2, 1, 3}, new int[] {2, 4, 1}, DimensionTree.parse("(1,(2,3))")},
            {new int[] {2, 2, 2, 2}, new int[] {3, 1, 2, 2}, DimensionTree.balanced(4)},
            {new int[] {3, 2, 2, 1}, new int[] {1, 2, 3, 2}, DimensionTree.leftComb(4)}
        };
        try (Arena arena = Arena.ofConfined()) {
            for (Object[] c : cases) {
                int[] m = (int[]) c[0], n = (int[]) c[1];
                DimensionTree tree = (DimensionTree) c[2];
                HtMatrix ht = HtMatrix.random(HtFormat.withCappedRanks(m, n, tree, 3), 5, arena);
                int rows = ht.format().rows(), cols = ht.format().cols();
                float[] w = dense(DenseReconstruction.of(ht, cols, arena), rows * cols);
                HtDecomposition.Result r =
                        HtDecomposition.decompose(w, cols, m, n, tree, Truncation.full(), arena);
                float[] back = dense(DenseReconstruction.of(r.matrix(), cols, arena), rows * cols);
                double err = relativeError(w, back);
                assertTrue(err < 1e-5, tree + ": round trip error " + err);
                assertTrue(r.relativeError() < 1e-5, "reported error " + r.relativeError());
            }
        }
    }

    @Test
    void truncatedHtErrorIsReportedExactlyAndQuasiOptimal() {
        int[] m = {2, 3, 2}, n = {3, 2, 4};
        DimensionTree tree = DimensionTree.balanced(3);
        int rows = 12, cols = 24;
        float[] w = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextDouble() * 2 - 1);
        try (Arena arena = Arena.ofConfined()) {
            for (int rank = 1; rank <= 4; rank++) {
                HtDecomposition.Result r =
                        HtDecomposition.decompose(
                                w, cols, m, n, tree, Truncation.rank(rank), arena);
                float[] back = dense(DenseReconstruction.of(r.matrix(), cols, arena), rows * cols);
                double measured = relativeError(w, back);
                assertEquals(
                        measured,
                        r.relativeError(),
                        1e-4 * Math.max(1, measured),
                        "rank " + rank + ": reported vs measured error");
                // no HT of these ranks beats truncating a leaf's matricization of W (a lower bound
                // on the best), and LTR's
                // error is at most the root of all discarded energies (Grasedyck): together, within
                // sqrt(2d-2) of the best
                double norm = 0;
                for (float v : w) norm += (double) v * v;
                norm = Math.sqrt(norm);
                double worstSingle = 0, sumSquares = 0;
                for (int t = 0; t < tree.nodeCount(); t++) {
                    double[] s = r.singularValues()[t];
                    if (s.length == 0) continue;
                    double tail = 0;
                    for (int k = r.matrix().format().rank(t); k < s.length; k++)
                        tail += s[k] * s[k];
                    if (tree.isLeaf(t)) worstSingle = Math.max(worstSingle, Math.sqrt(tail) / norm);
                    sumSquares += tail;
                }
                assertTrue(
                        measured >= worstSingle / 1.0001,
                        "rank "
                                + rank
                                + ": "
                                + measured
                                + " beats a single leaf truncation "
                                + worstSingle);
                assertTrue(
                        measured <= Math.sqrt(sumSquares) / norm * 1.0001,
                        "rank " + rank + ": error above the sum of discarded energies");
            }
        }
    }

    @Test
    void toleranceIsHonoured() {
        int[] m = {4, 4}, n = {5, 6};
        float[] w = new float[16 * 30];
        SplittableRandom rnd = new SplittableRandom(2);
        // a nearly low-rank matrix: rank-2 structure plus small noise
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 30; j++)
                w[i * 30 + j] =
                        (float)
                                (Math.sin(i + j)
                                        + Math.cos(i * j * 0.1)
                                        + 1e-3 * rnd.nextGaussian());
        try (Arena arena = Arena.ofConfined()) {
            for (double eps : new double[] {0.5, 0.1, 0.01, 1e-3}) {
                HtDecomposition.Result r =
                        HtDecomposition.decompose(
                                w,
                                30,
                                m,
                                n,
                                DimensionTree.balanced(2),
                                Truncation.tolerance(eps),
                                arena);
                assertTrue(r.relativeError() <= eps, "eps " + eps + " gave " + r.relativeError());
                TtDecomposition.Result t =
                        TtDecomposition.decompose(w, 30, m, n, Truncation.tolerance(eps), arena);
                assertTrue(
                        t.relativeError() <= eps, "TT eps " + eps + " gave " + t.relativeError());
            }
        }
    }

    @Test
    void paddingColumnsAreZero() {
        try (Arena arena = Arena.ofConfined()) {
            HtMatrix ht =
                    HtMatrix.random(
                            HtFormat.uniform(new int[] {2, 2}, new int[] {3, 3}, 4), 3, arena);
            int cols = 7; // of 9: the last two are padding
            float[] w = dense(DenseReconstruction.of(ht, cols, arena), 4 * cols);
            HtDecomposition.Result r =
                    HtDecomposition.decompose(
                            w,
                            cols,
                            new int[] {2, 2},
                            new int[] {3, 3},
                            DimensionTree.balanced(2),
                            Truncation.full(),
                            arena);
            float[] back = dense(DenseReconstruction.of(r.matrix(), cols, arena), 4 * cols);
            assertTrue(relativeError(w, back) < 1e-5);
        }
    }

    @Test
    void ttRoundTripAndTruncation() {
        try (Arena arena = Arena.ofConfined()) {
            TtMatrix tt =
                    TtMatrix.random(
                            TtFormat.uniform(new int[] {2, 3, 2}, new int[] {2, 2, 3}, 3),
                            4,
                            arena);
            int rows = 12, cols = 12;
            float[] w = dense(DenseReconstruction.of(tt, cols, arena), rows * cols);
            TtDecomposition.Result full =
                    TtDecomposition.decompose(
                            w,
                            cols,
                            new int[] {2, 3, 2},
                            new int[] {2, 2, 3},
                            Truncation.full(),
                            arena);
            assertTrue(
                    relativeError(
                                    w,
                                    dense(
                                            DenseReconstruction.of(full.matrix(), cols, arena),
                                            rows * cols))
                            < 1e-5);
            float[] noise = new float[rows * cols];
            SplittableRandom rnd = new SplittableRandom(9);
            for (int i = 0; i < noise.length; i++) noise[i] = (float) rnd.nextGaussian();
            TtDecomposition.Result r =
                    TtDecomposition.decompose(
                            noise,
                            cols,
                            new int[] {2, 3, 2},
                            new int[] {2, 2, 3},
                            Truncation.rank(2),
                            arena);
            double measured =
                    relativeError(
                            noise,
                            dense(DenseReconstruction.of(r.matrix(), cols, arena), rows * cols));
            assertEquals(measured, r.relativeError(), 1e-4);
            double norm = 0;
            for (float v : noise) norm += (double) v * v;
            double worst = 0;
            for (int k = 0; k < r.singularValues().length; k++) {
                double tail = 0;
                double[] s = r.singularValues()[k];
                for (int j = r.matrix().format().bondRank(k + 1); j < s.length; j++)
                    tail += s[j] * s[j];
                worst = Math.max(worst, Math.sqrt(tail / norm));
            }
            assertTrue(
                    measured <= Math.sqrt(3 - 1) * worst + 1e-6,
                    "TT error " + measured + " above sqrt(d-1) x " + worst);
        }
    }

    @Test
    void badInputIsNamed() {
        try (Arena arena = Arena.ofConfined()) {
            float[] w = new float[16];
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    HtDecomposition.decompose(
                                            w,
                                            5,
                                            new int[] {2, 2},
                                            new int[] {2, 2},
                                            DimensionTree.balanced(2),
                                            Truncation.full(),
                                            arena));
            assertTrue(e.getMessage().contains("columns"), e.getMessage());
            w[6] = Float.NaN;
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    HtDecomposition.decompose(
                                            w,
                                            4,
                                            new int[] {2, 2},
                                            new int[] {2, 2},
                                            DimensionTree.balanced(2),
                                            Truncation.full(),
                                            arena));
            assertTrue(e.getMessage().contains("(1, 2)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Truncation.rank(0));
            assertTrue(e.getMessage().contains("rank 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Truncation.tolerance(-1));
            assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
        }
    }
}
