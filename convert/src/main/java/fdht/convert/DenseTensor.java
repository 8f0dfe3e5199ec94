package fdht.convert;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The tensor a decomposition works on: a row-major list of modes, each named by the tree node it
 * belongs to. The source is the float matrix itself in native memory, read in place: leaf mode
 * {@code k} is the pair {@code (i_k, j_k)}, index {@code mu = i_k n_k + j_k}, and columns past
 * {@code cols} read as zero padding. Every projection returns a smaller tensor on the heap in
 * double precision, its new mode last.
 */
final class DenseTensor {
    // source form
    private final MemorySegment w;
    private final int cols;
    private final int[] m, n;
    private final long[] rowStride, colStride; // of i_k and j_k in W's (row, col)
    // heap form
    private final double[] data;
    // both
    private final List<int[]> modes; // {node id, size}

    private DenseTensor(
            MemorySegment w, int cols, int[] m, int[] n, double[] data, List<int[]> modes) {
        this.w = w;
        this.cols = cols;
        this.m = m;
        this.n = n;
        this.data = data;
        this.modes = modes;
        if (m != null) {
            int d = m.length;
            rowStride = new long[d];
            colStride = new long[d];
            long rs = 1, cs = 1;
            for (int k = d - 1; k >= 0; k--) {
                rowStride[k] = rs;
                colStride[k] = cs;
                rs *= m[k];
                cs *= n[k];
            }
        } else {
            rowStride = colStride = null;
        }
    }

    static DenseTensor fromMatrix(MemorySegment w, int rows, int cols, int[] m, int[] n) {
        List<int[]> modes = new ArrayList<>();
        for (int k = 0; k < m.length; k++) modes.add(new int[] {k, m[k] * n[k]});
        return new DenseTensor(w, cols, m.clone(), n.clone(), null, modes);
    }

    private boolean isSource() {
        return w != null;
    }

    private int position(int node) {
        for (int p = 0; p < modes.size(); p++) if (modes.get(p)[0] == node) return p;
        throw new IllegalStateException("no mode for node " + node);
    }

    private long size() {
        long s = 1;
        for (int[] md : modes) s *= md[1];
        return s;
    }

    double squaredNorm() {
        double s = 0;
        if (isSource()) {
            long rows = 1;
            for (int x : m) rows *= x;
            for (long r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float v = w.getAtIndex(ValueLayout.JAVA_FLOAT, r * cols + c);
                    if (!Float.isFinite(v))
                        throw new IllegalArgumentException(
                                "the matrix has a non-finite value "
                                        + v
                                        + " at ("
                                        + r
                                        + ", "
                                        + c
                                        + ")");
                    s += (double) v * v;
                }
            }
        } else {
            for (double v : data) s += v * v;
        }
        return s;
    }

    /** Element at a mode multi-index (source form): 0 in the padding. */
    private double sourceAt(int[] idx) {
        long row = 0, col = 0;
        for (int k = 0; k < idx.length; k++) {
            int mu = idx[k];
            row += (long) (mu / n[k]) * rowStride[k];
            col += (long) (mu % n[k]) * colStride[k];
        }
        return col < cols ? w.getAtIndex(ValueLayout.JAVA_FLOAT, row * cols + col) : 0;
    }

    /**
     * Calls {@code fiber} once per index of the modes other than those at {@code positions}, with
     * the fiber's values (the listed modes, row-major) gathered into {@code buf}.
     */
    private void forEachFiber(
            int[] positions,
            double[] buf,
            java.util.function.IntConsumer fiber,
            DoubleConsumer progress) {
        int d = modes.size();
        int[] size = new int[d];
        for (int p = 0; p < d; p++) size[p] = modes.get(p)[1];
        boolean[] inFiber = new boolean[d];
        for (int p : positions) inFiber[p] = true;
        long[] stride = new long[d];
        long acc = 1;
        for (int p = d - 1; p >= 0; p--) {
            stride[p] = acc;
            acc *= size[p];
        }
        int fiberLen = 1;
        for (int p : positions) fiberLen *= size[p];
        long fibers = acc / fiberLen;
        int[] idx = new int[d];
        int[] fidx = new int[positions.length];
        long done = 0, step = Math.max(1, fibers / 100);
        for (long f = 0; f < fibers; f++) {
            // gather
            java.util.Arrays.fill(fidx, 0);
            for (int e = 0; e < fiberLen; e++) {
                for (int q = 0; q < positions.length; q++) idx[positions[q]] = fidx[q];
                if (isSource()) {
                    buf[e] = sourceAt(idx);
                } else {
                    long off = 0;
                    for (int p = 0; p < d; p++) off += idx[p] * stride[p];
                    buf[e] = data[(int) off];
                }
                for (int q = positions.length - 1; q >= 0; q--) {
                    if (++fidx[q] < size[positions[q]]) break;
                    fidx[q] = 0;
                }
            }
            fiber.accept((int) f);
            // advance the rest
            for (int p = d - 1; p >= 0; p--) {
                if (inFiber[p]) continue;
                if (++idx[p] < size[p]) break;
                idx[p] = 0;
            }
            if (progress != null && ++done % step == 0) progress.accept((double) done / fibers);
        }
    }

    /**
     * Gram matrix of the unfolding along the mode of {@code node}: accumulated in blocks with EJML.
     */
    DMatrixRMaj modeGram(int node, int block, DoubleConsumer progress) {
        int p = position(node);
        int len = modes.get(p)[1];
        DMatrixRMaj gram = new DMatrixRMaj(len, len);
        DMatrixRMaj f = new DMatrixRMaj(len, block);
        double[] buf = new double[len];
        int[] filled = {0};
        forEachFiber(
                new int[] {p},
                buf,
                i -> {
                    int col = filled[0]++;
                    for (int e = 0; e < len; e++) f.unsafe_set(e, col, buf[e]);
                    if (filled[0] == block) {
                        CommonOps_DDRM.multAddTransB(f, f, gram);
                        filled[0] = 0;
                    }
                },
                progress);
        if (filled[0] > 0) {
            DMatrixRMaj tail = CommonOps_DDRM.extract(f, 0, len, 0, filled[0]);
            CommonOps_DDRM.multAddTransB(tail, tail, gram);
        }
        return gram;
    }

    /**
     * Mode of {@code node} (size s) replaced by its projection onto the columns of {@code u} (s x
     * r), appended last.
     */
    DenseTensor projectMode(int node, double[][] u) {
        return projectMode(node, node, u);
    }

    /** As {@link #projectMode(int, double[][])}, the new mode named {@code newNode}. */
    DenseTensor projectMode(int node, int newNode, double[][] u) {
        return project(new int[] {position(node)}, newNode, u);
    }

    /**
     * Gram matrix of the unfolding along the modes of {@code l} and {@code r} together (rows (a_l,
     * a_r)).
     */
    DMatrixRMaj pairGram(int l, int r) {
        int[] pos = {position(l), position(r)};
        int len = modes.get(pos[0])[1] * modes.get(pos[1])[1];
        double[] g = new double[len * len];
        double[] buf = new double[len];
        forEachFiber(
                pos,
                buf,
                i -> {
                    for (int a = 0; a < len; a++) {
                        double va = buf[a];
                        if (va == 0) continue;
                        for (int b = 0; b < len; b++) g[a * len + b] += va * buf[b];
                    }
                },
                null);
        return new DMatrixRMaj(len, len, true, g);
    }

    /**
     * Modes of {@code l} and {@code r} replaced by node {@code t}'s (size r_t), via {@code u} ((r_l
     * r_r) x r_t), appended last.
     */
    DenseTensor projectPair(int l, int r, int t, double[][] u) {
        return project(new int[] {position(l), position(r)}, t, u);
    }

    private DenseTensor project(int[] pos, int newNode, double[][] u) {
        int len = 1;
        for (int p : pos) len *= modes.get(p)[1];
        int rank = u[0].length;
        long out = size() / len * rank;
        if (out > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(
                    "a projected tensor of " + out + " doubles does not fit a heap array");
        double[] res = new double[(int) out];
        double[] buf = new double[len];
        final int fl = len;
        forEachFiber(
                pos,
                buf,
                f -> {
                    int base = f * rank;
                    for (int a = 0; a < rank; a++) {
                        double s = 0;
                        for (int e = 0; e < fl; e++) s += u[e][a] * buf[e];
                        res[base + a] = s;
                    }
                },
                null);
        List<int[]> modes2 = new ArrayList<>();
        for (int p = 0; p < modes.size(); p++) {
            boolean gone = false;
            for (int q : pos) gone |= q == p;
            if (!gone) modes2.add(modes.get(p));
        }
        modes2.add(new int[] {newNode, rank});
        return new DenseTensor(null, 0, null, null, res, modes2);
    }

    /**
     * The whole tensor as B_root[0][a_l][a_r] once only the modes of {@code l} and {@code r} are
     * left.
     */
    float[] pairValues(int l, int r) {
        if (modes.size() != 2)
            throw new IllegalStateException("the root core has " + modes.size() + " modes, not 2");
        int pl = position(l), pr = position(r);
        int rl = modes.get(pl)[1], rr = modes.get(pr)[1];
        float[] v = new float[rl * rr];
        for (int b = 0; b < rl; b++)
            for (int c = 0; c < rr; c++)
                v[b * rr + c] = (float) (pl == 0 ? data[b * rr + c] : data[c * rl + b]);
        return v;
    }
}
