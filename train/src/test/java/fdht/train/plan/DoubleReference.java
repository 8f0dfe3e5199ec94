package fdht.train.plan;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;

/**
 * Double-precision dense reconstructions straight from the definitions (HT nestedness, TT core
 * products), independent of plans, tables and packing: the forward the gradient checks difference.
 */
public final class DoubleReference {
    private DoubleReference() {}

    /** W[i][j] of an HT matrix, row-major {@code M x N}. */
    public static double[] ht(HtFormat f, double[][] nodes) {
        DimensionTree tree = f.tree();
        double[][] u = new double[tree.nodeCount()][];
        int[] mt = new int[tree.nodeCount()], nt = new int[tree.nodeCount()];
        for (int t = 0; t < tree.nodeCount(); t++)
            visit(f, nodes, tree.isLeaf(t) ? t : t, u, mt, nt);
        return u[tree.root()]; // rank 1: [(i, j), 0]
    }

    /**
     * U_t[(i_t, j_t)][a] row-major as [i_t][j_t][a]; children before parents (node ids are
     * post-order).
     */
    private static void visit(
            HtFormat f, double[][] nodes, int t, double[][] u, int[] mt, int[] nt) {
        DimensionTree tree = f.tree();
        if (tree.isLeaf(t)) {
            u[t] = nodes[t].clone();
            mt[t] = f.rowFactor(t);
            nt[t] = f.colFactor(t);
            return;
        }
        int l = tree.left(t), r = tree.right(t);
        if (u[l] == null) visit(f, nodes, l, u, mt, nt);
        if (u[r] == null) visit(f, nodes, r, u, mt, nt);
        int rl = f.rank(l), rr = f.rank(r), rt = f.rank(t);
        mt[t] = mt[l] * mt[r];
        nt[t] = nt[l] * nt[r];
        double[] out = new double[mt[t] * nt[t] * rt];
        for (int il = 0; il < mt[l]; il++)
            for (int ir = 0; ir < mt[r]; ir++)
                for (int jl = 0; jl < nt[l]; jl++)
                    for (int jr = 0; jr < nt[r]; jr++) {
                        int i = il * mt[r] + ir, j = jl * nt[r] + jr;
                        for (int a = 0; a < rt; a++) {
                            double s = 0;
                            for (int b = 0; b < rl; b++) {
                                double ul = u[l][(il * nt[l] + jl) * rl + b];
                                for (int c = 0; c < rr; c++)
                                    s +=
                                            nodes[t][(a * rl + b) * rr + c]
                                                    * ul
                                                    * u[r][(ir * nt[r] + jr) * rr + c];
                            }
                            out[(i * nt[t] + j) * rt + a] = s;
                        }
                    }
        u[t] = out;
    }

    /** W[i][j] of a TT matrix: G_1[i_1 j_1] ... G_d[i_d j_d]. */
    public static double[] tt(TtFormat f, double[][] cores) {
        int d = f.order();
        int rows = f.rows(), cols = f.cols();
        double[] w = new double[rows * cols];
        int[] ii = new int[d], jj = new int[d];
        for (int i = 0; i < rows; i++) {
            split(i, f.rowFactors(), ii);
            for (int j = 0; j < cols; j++) {
                split(j, f.colFactors(), jj);
                double[] v = {1};
                for (int k = 0; k < d; k++) {
                    int ra = f.bondRank(k),
                            rb = f.bondRank(k + 1),
                            m = f.rowFactor(k),
                            n = f.colFactor(k);
                    double[] nv = new double[rb];
                    for (int a = 0; a < ra; a++)
                        for (int b = 0; b < rb; b++)
                            nv[b] += v[a] * cores[k][((a * m + ii[k]) * n + jj[k]) * rb + b];
                    v = nv;
                }
                w[i * cols + j] = v[0];
            }
        }
        return w;
    }

    static void split(int flat, int[] sizes, int[] out) {
        for (int a = sizes.length - 1; a >= 0; a--) {
            out[a] = flat % sizes[a];
            flat /= sizes[a];
        }
    }

    /** sum_b sum_i g[b][i] * (W x_b)[i]. */
    static double weightedOutput(double[] w, int rows, int cols, float[] x, float[] g, int batch) {
        double s = 0;
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < rows; i++) {
                double y = 0;
                for (int j = 0; j < cols; j++) y += w[i * cols + j] * x[b * cols + j];
                s += g[b * rows + i] * y;
            }
        return s;
    }
}
