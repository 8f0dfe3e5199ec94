package fdht.convert;

import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.ejml.data.DMatrixRMaj;

/**
 * Dense matrix to TT (the TIE baseline's format) by TT-SVD: sequential truncated SVDs of the
 * unfoldings {@code (r_{k-1} m_k n_k) x rest}, each from its Gram matrix with EJML. Each truncation
 * may discard {@code eps ||W|| / sqrt(d - 1)}. The cores are left-orthonormal, so the error is
 * exact from the retained energy. The first unfolding streams the native matrix; the rest are on
 * the heap, {@code M N r_1 / (m_1 n_1)} doubles at most.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class TtDecomposition {
    private static final int BOND = 1000; // mode ids of bonds, apart from the leaf modes 0..d-1

    /**
     * @param singularValues each unfolding's singular values, before truncation
     */
    public record Result(TtMatrix matrix, double relativeError, double[][] singularValues) {}

    private TtDecomposition() {}

    public static Result decompose(
            MemorySegment w,
            int cols,
            int[] rowFactors,
            int[] colFactors,
            Truncation truncation,
            Arena arena) {
        int d = rowFactors.length;
        if (colFactors.length != d || d < 2 || d > 8)
            throw new IllegalArgumentException(
                    "TT needs 2..8 factors of each kind, got " + d + " and " + colFactors.length);
        long rows = 1, nCols = 1;
        for (int k = 0; k < d; k++) {
            if (rowFactors[k] < 1 || colFactors[k] < 1)
                throw new IllegalArgumentException(
                        "factor m" + (k + 1) + " or n" + (k + 1) + " is below 1");
            rows *= rowFactors[k];
            nCols *= colFactors[k];
        }
        if (cols < 1 || cols > nCols)
            throw new IllegalArgumentException(
                    cols + " columns do not fit the column factors (product " + nCols + ")");
        if (w.byteSize() < rows * cols * Float.BYTES)
            throw new IllegalArgumentException(
                    "the matrix holds "
                            + w.byteSize() / 4
                            + " floats but "
                            + rows * cols
                            + " are needed");
        DenseTensor core = DenseTensor.fromMatrix(w, (int) rows, cols, rowFactors, colFactors);
        double norm2 = core.squaredNorm();
        double budget = truncation.tolerance() * Math.sqrt(norm2) / Math.sqrt(Math.max(1, d - 1));
        int[] r = new int[d + 1];
        r[0] = 1;
        r[d] = 1;
        double[][] sigma = new double[d - 1][];
        float[][] cores = new float[d][];
        long rest = rows * nCols;
        for (int k = 0; k < d - 1; k++) {
            int s = rowFactors[k] * colFactors[k];
            rest /= s;
            DMatrixRMaj gram = k == 0 ? core.modeGram(0, 512, null) : core.pairGram(BOND + k, k);
            SymmetricBasis basis = SymmetricBasis.of(gram);
            sigma[k] = basis.sigma();
            r[k + 1] =
                    truncation.choose(
                            basis.sigma(),
                            (int) Math.min(Integer.MAX_VALUE, Math.min((long) r[k] * s, rest)),
                            budget,
                            k);
            double[][] u = basis.leading(r[k + 1]);
            cores[k] = new float[r[k] * s * r[k + 1]];
            // rows of u are (a, mu); G_k[a][i][j][b] with mu = i n_k + j
            for (int row = 0; row < r[k] * s; row++)
                for (int b = 0; b < r[k + 1]; b++) cores[k][row * r[k + 1] + b] = (float) u[row][b];
            core =
                    k == 0
                            ? core.projectMode(0, BOND + 1, u)
                            : core.projectPair(BOND + k, k, BOND + k + 1, u);
        }
        double kept = core.squaredNorm(); // in double, before the last core is rounded to float
        cores[d - 1] = core.pairValues(BOND + d - 1, d - 1);
        double err = norm2 == 0 ? 0 : Math.sqrt(Math.max(0, norm2 - kept) / norm2);
        return new Result(
                TtMatrix.of(new TtFormat(rowFactors, colFactors, r), cores, arena), err, sigma);
    }

    /** Same, from a heap array. */
    public static Result decompose(
            float[] w,
            int cols,
            int[] rowFactors,
            int[] colFactors,
            Truncation truncation,
            Arena arena) {
        MemorySegment s = arena.allocate((long) w.length * Float.BYTES, 64);
        MemorySegment.copy(w, 0, s, ValueLayout.JAVA_FLOAT, 0, w.length);
        return decompose(s, cols, rowFactors, colFactors, truncation, arena);
    }
}
