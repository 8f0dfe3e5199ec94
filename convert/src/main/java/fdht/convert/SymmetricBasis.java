package fdht.convert;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Left singular vectors and singular values of a matrix {@code A} from its Gram matrix {@code G = A
 * A^T} (EJML's symmetric eigendecomposition): the only SVD the decompositions need, since their
 * unfoldings are short and very wide. Singular values are {@code sqrt} of the eigenvalues,
 * descending.
 */
record SymmetricBasis(double[] sigma, DMatrixRMaj vectors) {

    static SymmetricBasis of(DMatrixRMaj gram) {
        int n = gram.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(gram.copy()))
            throw new IllegalStateException(
                    "EJML's eigendecomposition of a " + n + "x" + n + " Gram matrix failed");
        Integer[] order = new Integer[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            values[i] = Math.max(0, eig.getEigenvalue(i).getReal());
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[] sigma = new double[n];
        DMatrixRMaj v = new DMatrixRMaj(n, n);
        for (int c = 0; c < n; c++) {
            sigma[c] = Math.sqrt(values[order[c]]);
            DMatrixRMaj vec = eig.getEigenVector(order[c]);
            for (int r = 0; r < n; r++) v.set(r, c, vec == null ? (r == c ? 1 : 0) : vec.get(r, 0));
        }
        return new SymmetricBasis(sigma, v);
    }

    /** The first {@code r} basis vectors as an {@code n x r} matrix. */
    double[][] leading(int r) {
        double[][] u = new double[vectors.numRows][r];
        for (int i = 0; i < vectors.numRows; i++)
            for (int c = 0; c < r; c++) u[i][c] = vectors.get(i, c);
        return u;
    }
}
