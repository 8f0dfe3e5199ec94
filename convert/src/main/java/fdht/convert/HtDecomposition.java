package fdht.convert;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.DoubleConsumer;
import org.ejml.data.DMatrixRMaj;

/**
 * Dense matrix to HT by Grasedyck's leaves-to-root truncated HT-SVD (htucker's {@code
 * truncate_ltr}). Mode {@code k} of the tensor is the pair {@code (i_k, j_k)} of size {@code m_k
 * n_k}. Every leaf's basis comes from the Gram matrix of its unfolding of the original matrix
 * (streamed from native memory in blocks, EJML for the products and the symmetric
 * eigendecomposition); the tensor is then projected onto the leaf bases, the projection that
 * shrinks it most first, so only that one pass reads the whole matrix; the interior nodes follow
 * bottom-up on the small core. Each truncation may discard {@code eps ||W|| / sqrt(2d - 2)}, so the
 * result is within {@code eps} of {@code W} and within {@code sqrt(2d - 3)} of the best HT
 * approximation of its ranks.
 *
 * <p>Cost: about {@code M N sum_k m_k n_k} multiply-adds for the Grams (10^10 for LSTM-UCF) plus
 * one pass per leaf over W; heap: the Grams and the tensor after the first projection ({@code M N
 * r_k / (m_k n_k)} doubles).
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class HtDecomposition {
    private static final int BLOCK = 512;

    /**
     * @param matrix the HT matrix, with orthonormal frames
     * @param relativeError {@code ||W - W_ht||_F / ||W||_F}, from the discarded energy: the HT of
     *     orthonormal frames is an orthogonal projection of W, so {@code ||W - W_ht||^2 = ||W||^2 -
     *     ||B_root||^2}
     * @param singularValues each node's singular values (all of them, before truncation); the
     *     root's is empty
     */
    public record Result(HtMatrix matrix, double relativeError, double[][] singularValues) {}

    private HtDecomposition() {}

    /**
     * Decomposes the row-major {@code M x cols} matrix in {@code w} ({@code cols <= prod n}; the
     * missing columns are zero padding) into an HT matrix of the given factors and tree.
     */
    public static Result decompose(
            MemorySegment w,
            int cols,
            int[] rowFactors,
            int[] colFactors,
            DimensionTree tree,
            Truncation truncation,
            Arena arena,
            DoubleConsumer progress) {
        int d = tree.order();
        if (rowFactors.length != d || colFactors.length != d)
            throw new IllegalArgumentException(
                    "the tree has order "
                            + d
                            + " but "
                            + rowFactors.length
                            + " row and "
                            + colFactors.length
                            + " column factors were given");
        long mRows = 1, nCols = 1;
        for (int k = 0; k < d; k++) {
            if (rowFactors[k] < 1 || colFactors[k] < 1)
                throw new IllegalArgumentException(
                        "factor m" + (k + 1) + " or n" + (k + 1) + " is below 1");
            mRows *= rowFactors[k];
            nCols *= colFactors[k];
        }
        if (cols < 1 || cols > nCols)
            throw new IllegalArgumentException(
                    cols + " columns do not fit the column factors (product " + nCols + ")");
        if (w.byteSize() < mRows * cols * Float.BYTES)
            throw new IllegalArgumentException(
                    "the matrix holds "
                            + w.byteSize() / 4
                            + " floats but "
                            + mRows
                            + " x "
                            + cols
                            + " = "
                            + mRows * cols
                            + " are needed");
        DoubleConsumer report = progress == null ? p -> {} : progress;
        DenseTensor source = DenseTensor.fromMatrix(w, (int) mRows, cols, rowFactors, colFactors);
        double norm2 = source.squaredNorm();
        double budget =
                truncation.tolerance() * Math.sqrt(norm2) / Math.sqrt(Math.max(1, 2 * d - 2));

        int[] ranks = new int[tree.nodeCount()];
        double[][] sigma = new double[tree.nodeCount()][];
        double[][][] frames = new double[d][][];
        for (int k = 0; k < d; k++) {
            final int leaf = k;
            DMatrixRMaj gram = source.modeGram(k, BLOCK, f -> report.accept(0.8 * (leaf + f) / d));
            SymmetricBasis basis = SymmetricBasis.of(gram);
            sigma[k] = basis.sigma();
            ranks[k] =
                    keep(truncation, basis.sigma(), budget, rowFactors, colFactors, tree, k, ranks);
            frames[k] = basis.leading(ranks[k]);
        }
        // project the tensor onto the leaf bases, the most shrinking first; only the first pass
        // reads W
        Integer[] order = new Integer[d];
        for (int k = 0; k < d; k++) order[k] = k;
        final int[] rk = ranks;
        java.util.Arrays.sort(
                order,
                (a, b) ->
                        Double.compare(
                                (double) rk[a] / (rowFactors[a] * colFactors[a]),
                                (double) rk[b] / (rowFactors[b] * colFactors[b])));
        DenseTensor core = source;
        for (int k : order) core = core.projectMode(k, frames[k]);
        report.accept(0.9);
        // interior nodes, children before parents (node ids are post-order)
        float[][] nodes = new float[tree.nodeCount()][];
        for (int k = 0; k < d; k++) {
            int m = rowFactors[k], n = colFactors[k], r = ranks[k];
            nodes[k] = new float[m * n * r];
            for (int mu = 0; mu < m * n; mu++)
                for (int a = 0; a < r; a++) nodes[k][mu * r + a] = (float) frames[k][mu][a];
        }
        double keptNorm2 = 0;
        for (int t = d; t < tree.nodeCount(); t++) {
            int l = tree.left(t), r = tree.right(t);
            int rl = ranks[l], rr = ranks[r];
            if (t == tree.root()) {
                ranks[t] = 1;
                sigma[t] = new double[0];
                keptNorm2 = core.squaredNorm(); // in double, before the root is rounded to float
                nodes[t] = core.pairValues(l, r);
                break;
            }
            SymmetricBasis basis = SymmetricBasis.of(core.pairGram(l, r));
            sigma[t] = basis.sigma();
            ranks[t] =
                    keep(truncation, basis.sigma(), budget, rowFactors, colFactors, tree, t, ranks);
            double[][] u = basis.leading(ranks[t]);
            nodes[t] = new float[ranks[t] * rl * rr];
            for (int a = 0; a < ranks[t]; a++)
                for (int b = 0; b < rl; b++)
                    for (int c = 0; c < rr; c++)
                        nodes[t][(a * rl + b) * rr + c] = (float) u[b * rr + c][a];
            core = core.projectPair(l, r, t, u);
        }
        double err = norm2 == 0 ? 0 : Math.sqrt(Math.max(0, norm2 - keptNorm2) / norm2);
        report.accept(1.0);
        HtFormat format = new HtFormat(rowFactors, colFactors, tree, ranks);
        return new Result(HtMatrix.of(format, nodes, arena), err, sigma);
    }

    /**
     * The rank node {@code t} keeps of singular values {@code sigma}: what {@code truncation}
     * allows, and at most the exact rank of the node's matricization (and {@code r_l r_r} for an
     * interior node): the Gram's round-off eigenvalues would otherwise pass the 1e-12 floor and pad
     * the rank past it.
     */
    private static int keep(
            Truncation truncation,
            double[] sigma,
            double budget,
            int[] rowFactors,
            int[] colFactors,
            DimensionTree tree,
            int t,
            int[] ranks) {
        long cap = HtFormat.maximumRank(rowFactors, colFactors, tree, t, ranks);
        return truncation.choose(sigma, (int) Math.min(Integer.MAX_VALUE, cap), budget, t);
    }

    /** Same, from a heap array (tests, small matrices). */
    public static Result decompose(
            float[] w,
            int cols,
            int[] rowFactors,
            int[] colFactors,
            DimensionTree tree,
            Truncation truncation,
            Arena arena) {
        MemorySegment s = arena.allocate((long) w.length * Float.BYTES, 64);
        MemorySegment.copy(w, 0, s, ValueLayout.JAVA_FLOAT, 0, w.length);
        return decompose(s, cols, rowFactors, colFactors, tree, truncation, arena, null);
    }
}
