package fdht.kernels;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The dense matrix an HT or TT matrix encodes, built straight from the definitions: the independent
 * reference the kernels are checked against, and the weights of the dense baselines. HT follows the
 * nestedness relation bottom-up ({@code U_t[(i_l,i_r),(j_l,j_r),a] = sum_{b,c} B_t[a,b,c]
 * U_l[i_l,j_l,b] U_r[i_r,j_r,c]}); costs about {@code M N r} multiply-adds at the root and heap
 * arrays for the subtrees below it.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class DenseReconstruction {
    private DenseReconstruction() {}

    /**
     * Row-major {@code W[i][j]} for the first {@code colLimit} columns ({@code M x colLimit}
     * floats) in native memory.
     */
    public static MemorySegment of(HtMatrix ht, int colLimit, Arena arena) {
        HtFormat f = ht.format();
        DimensionTree tree = f.tree();
        if (colLimit < 1 || colLimit > f.cols())
            throw new IllegalArgumentException(
                    "column limit " + colLimit + " outside 1.." + f.cols());
        int root = tree.root();
        int l = tree.left(root), r = tree.right(root);
        float[] ul = node(ht, l), ur = node(ht, r);
        int ml = rows(f, l), nl = cols(f, l), mr = rows(f, r), nr = cols(f, r);
        int rl = f.rank(l), rr = f.rank(r);
        MemorySegment w = Weights.floats(arena, (long) f.rows() * colLimit);
        float[] v = new float[rr];
        float[] row = new float[nr];
        for (int il = 0; il < ml; il++) {
            for (int jl = 0; jl < nl; jl++) {
                long jBase = (long) jl * nr;
                if (jBase >= colLimit) continue;
                // v[c] = sum_b B_root[0,b,c] U_l[il,jl,b]
                for (int c = 0; c < rr; c++) {
                    float s = 0;
                    for (int b = 0; b < rl; b++)
                        s += ht.transfer(root, 0, b, c) * ul[(il * nl + jl) * rl + b];
                    v[c] = s;
                }
                for (int ir = 0; ir < mr; ir++) {
                    for (int jr = 0; jr < nr; jr++) {
                        float s = 0;
                        int at = (ir * nr + jr) * rr;
                        for (int c = 0; c < rr; c++) s += v[c] * ur[at + c];
                        row[jr] = s;
                    }
                    long i = (long) il * mr + ir;
                    int n = (int) Math.min(nr, colLimit - jBase);
                    MemorySegment.copy(
                            row,
                            0,
                            w,
                            java.lang.foreign.ValueLayout.JAVA_FLOAT,
                            (i * colLimit + jBase) * Float.BYTES,
                            n);
                }
            }
        }
        return w;
    }

    /** {@code U_t} of any node as a heap array {@code [M_t][N_t][r_t]}. */
    static float[] node(HtMatrix ht, int t) {
        HtFormat f = ht.format();
        DimensionTree tree = f.tree();
        if (tree.isLeaf(t)) {
            int m = f.rowFactor(t), n = f.colFactor(t), r = f.rank(t);
            float[] u = new float[m * n * r];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    for (int a = 0; a < r; a++) u[(i * n + j) * r + a] = ht.leaf(t, i, j, a);
            return u;
        }
        int l = tree.left(t), r = tree.right(t);
        float[] ul = node(ht, l), ur = node(ht, r);
        int ml = rows(f, l), nl = cols(f, l), mr = rows(f, r), nr = cols(f, r);
        int rl = f.rank(l), rr = f.rank(r), rt = f.rank(t);
        int mt = ml * mr, nt = nl * nr;
        long size = (long) mt * nt * rt;
        if (size > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(
                    "subtree " + f.nodeName(t) + " is too large to reconstruct on the heap");
        float[] u = new float[(int) size];
        for (int il = 0; il < ml; il++)
            for (int jl = 0; jl < nl; jl++)
                for (int a = 0; a < rt; a++) {
                    float[] v = new float[rr];
                    for (int c = 0; c < rr; c++) {
                        float s = 0;
                        for (int b = 0; b < rl; b++)
                            s += ht.transfer(t, a, b, c) * ul[(il * nl + jl) * rl + b];
                        v[c] = s;
                    }
                    for (int ir = 0; ir < mr; ir++)
                        for (int jr = 0; jr < nr; jr++) {
                            float s = 0;
                            for (int c = 0; c < rr; c++) s += v[c] * ur[(ir * nr + jr) * rr + c];
                            int i = il * mr + ir, j = jl * nr + jr;
                            u[(i * nt + j) * rt + a] = s;
                        }
                }
        return u;
    }

    private static int rows(HtFormat f, int t) {
        int p = 1;
        for (int k = f.tree().firstMode(t); k < f.tree().endMode(t); k++) p *= f.rowFactor(k);
        return p;
    }

    private static int cols(HtFormat f, int t) {
        int p = 1;
        for (int k = f.tree().firstMode(t); k < f.tree().endMode(t); k++) p *= f.colFactor(k);
        return p;
    }

    /**
     * Row-major dense {@code W} of a TT matrix, {@code M x colLimit}; costs {@code M N r^2}, meant
     * for tests and small baselines.
     */
    public static MemorySegment of(TtMatrix tt, int colLimit, Arena arena) {
        TtFormat f = tt.format();
        int d = f.order(), m = f.rows(), n = f.cols();
        if (colLimit < 1 || colLimit > n)
            throw new IllegalArgumentException("column limit " + colLimit + " outside 1.." + n);
        MemorySegment w = Weights.floats(arena, (long) m * colLimit);
        int[] ik = new int[d], jk = new int[d];
        for (int i = 0; i < m; i++) {
            digits(i, f, true, ik);
            for (int j = 0; j < colLimit; j++) {
                digits(j, f, false, jk);
                float[] v = {1f};
                for (int k = 0; k < d; k++) {
                    int rb = f.bondRank(k + 1);
                    float[] nv = new float[rb];
                    for (int b = 0; b < rb; b++) {
                        float s = 0;
                        for (int a = 0; a < v.length; a++)
                            s += v[a] * tt.core(k, a, ik[k], jk[k], b);
                        nv[b] = s;
                    }
                    v = nv;
                }
                Weights.set(w, (long) i * colLimit + j, v[0]);
            }
        }
        return w;
    }

    private static void digits(int x, TtFormat f, boolean rows, int[] out) {
        for (int k = f.order() - 1; k >= 0; k--) {
            int radix = rows ? f.rowFactor(k) : f.colFactor(k);
            out[k] = x % radix;
            x /= radix;
        }
    }
}
