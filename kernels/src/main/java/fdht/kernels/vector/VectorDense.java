package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Dense {@code y[b] (+)= W x[b]}: the dense baselines and the head. At batch >= 4 the columns
 * are processed in chunks of {@value #CHUNK} floats so the batch's slice of {@code x} stays in
 * cache while each row of {@code W} streams past once, four batch rows sharing each weight
 * vector; below batch 4 four weight rows share each input vector. Four independent FMA chains
 * either way. Masked tails are reduced on their own: a vector reassigned under a branch
 * is boxed on the heap.
 */
final class VectorDense {
    private static final int CHUNK = 2048;

    private VectorDense() {}

    static void gemm(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int batch, boolean accumulate) {
        if (!accumulate) {
            for (long e = 0; e < (long) batch * rows; e++) y.setAtIndex(F32, yOff + e, 0f);
        }
        if (batch < 4) {
            // x fits in cache whole: stream four weight rows at a time past it
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                for (int b = 0; b < batch; b++) fourWeightRows(w, wOff, rows, cols, x, xOff, y, yOff, b, i, 0, cols);
            }
            for (; i < rows; i++) {
                for (int b = 0; b < batch; b++) add(y, yOff + (long) b * rows + i, dot(w, wOff + (long) i * cols, x, xOff + (long) b * cols, 0, cols));
            }
            return;
        }
        // column chunks keep the batch's slice of x in cache; each weight row's chunk serves every batch row while in L1
        for (int jb = 0; jb < cols; jb += CHUNK) {
            int je = Math.min(cols, jb + CHUNK);
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                int b = 0;
                for (; b + 4 <= batch; b += 4) fourByFour(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
                for (; b < batch; b++) fourWeightRows(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
            }
            for (; i < rows; i++) {
                int b = 0;
                for (; b + 4 <= batch; b += 4) fourBatchRows(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
                for (; b < batch; b++) add(y, yOff + (long) b * rows + i, dot(w, wOff + (long) i * cols, x, xOff + (long) b * cols, jb, je));
            }
        }
    }

    /** Weight rows i..i+3 times batch rows b..b+3 over columns [jb, je): sixteen accumulators, half a load per FMA. */
    private static void fourByFour(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int b, int i, int jb, int je) {
        long cb = (long) cols * Float.BYTES;
        long w0 = (wOff + (long) i * cols) * Float.BYTES, w1 = w0 + cb, w2 = w1 + cb, w3 = w2 + cb;
        long x0 = (xOff + (long) b * cols) * Float.BYTES, x1 = x0 + cb, x2 = x1 + cb, x3 = x2 + cb;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int j = jb;
        for (; j + L <= je; j += L) {
            long o = (long) j * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(S, x, x0 + o, LE), v1 = FloatVector.fromMemorySegment(S, x, x1 + o, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, x, x2 + o, LE), v3 = FloatVector.fromMemorySegment(S, x, x3 + o, LE);
            FloatVector u = FloatVector.fromMemorySegment(S, w, w0 + o, LE);
            a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
            u = FloatVector.fromMemorySegment(S, w, w1 + o, LE);
            a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
            u = FloatVector.fromMemorySegment(S, w, w2 + o, LE);
            a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
            u = FloatVector.fromMemorySegment(S, w, w3 + o, LE);
            a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
        }
        long y0 = yOff + (long) b * rows + i;
        add(y, y0, a00.reduceLanes(VectorOperators.ADD));
        add(y, y0 + rows, a01.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 2L * rows, a02.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 3L * rows, a03.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 1, a10.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 1 + rows, a11.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 1 + 2L * rows, a12.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 1 + 3L * rows, a13.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 2, a20.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 2 + rows, a21.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 2 + 2L * rows, a22.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 2 + 3L * rows, a23.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 3, a30.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 3 + rows, a31.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 3 + 2L * rows, a32.reduceLanes(VectorOperators.ADD));
        add(y, y0 + 3 + 3L * rows, a33.reduceLanes(VectorOperators.ADD));
        if (j < je) {
            // the masked tail, as sixteen short dot products (no vector reassigned under a branch)
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) add(y, y0 + r + (long) c * rows, dot(w, wOff + (long) (i + r) * cols, x, xOff + (long) (b + c) * cols, j, je));
            }
        }
    }

    /** Batch rows b..b+3 against weight row i, columns [jb, je). */
    private static void fourBatchRows(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int b, int i, int jb, int je) {
        long cb = (long) cols * Float.BYTES;
        long x0 = (xOff + (long) b * cols) * Float.BYTES, x1 = x0 + cb, x2 = x1 + cb, x3 = x2 + cb;
        {
            long wr = (wOff + (long) i * cols) * Float.BYTES;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int j = jb;
            for (; j + L <= je; j += L) {
                long o = (long) j * Float.BYTES;
                FloatVector wv = FloatVector.fromMemorySegment(S, w, wr + o, LE);
                a0 = wv.fma(FloatVector.fromMemorySegment(S, x, x0 + o, LE), a0);
                a1 = wv.fma(FloatVector.fromMemorySegment(S, x, x1 + o, LE), a1);
                a2 = wv.fma(FloatVector.fromMemorySegment(S, x, x2 + o, LE), a2);
                a3 = wv.fma(FloatVector.fromMemorySegment(S, x, x3 + o, LE), a3);
            }
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            if (j < je) {
                VectorMask<Float> m = S.indexInRange(j, je);
                long o = (long) j * Float.BYTES;
                FloatVector wv = FloatVector.fromMemorySegment(S, w, wr + o, LE, m);
                t0 = wv.mul(FloatVector.fromMemorySegment(S, x, x0 + o, LE, m)).reduceLanes(VectorOperators.ADD);
                t1 = wv.mul(FloatVector.fromMemorySegment(S, x, x1 + o, LE, m)).reduceLanes(VectorOperators.ADD);
                t2 = wv.mul(FloatVector.fromMemorySegment(S, x, x2 + o, LE, m)).reduceLanes(VectorOperators.ADD);
                t3 = wv.mul(FloatVector.fromMemorySegment(S, x, x3 + o, LE, m)).reduceLanes(VectorOperators.ADD);
            }
            add(y, yOff + (long) b * rows + i, a0.reduceLanes(VectorOperators.ADD) + t0);
            add(y, yOff + (long) (b + 1) * rows + i, a1.reduceLanes(VectorOperators.ADD) + t1);
            add(y, yOff + (long) (b + 2) * rows + i, a2.reduceLanes(VectorOperators.ADD) + t2);
            add(y, yOff + (long) (b + 3) * rows + i, a3.reduceLanes(VectorOperators.ADD) + t3);
        }
    }

    /** Weight rows i..i+3 against batch row b, columns [jb, je): four weight streams share each x vector. */
    private static void fourWeightRows(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int b, int i, int jb, int je) {
        long rb = (long) cols * Float.BYTES;
        long w0 = (wOff + (long) i * cols) * Float.BYTES, w1 = w0 + rb, w2 = w1 + rb, w3 = w2 + rb;
        long xr = (xOff + (long) b * cols) * Float.BYTES;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int j = jb;
        for (; j + L <= je; j += L) {
            long o = (long) j * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, xr + o, LE);
            a0 = FloatVector.fromMemorySegment(S, w, w0 + o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(S, w, w1 + o, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(S, w, w2 + o, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(S, w, w3 + o, LE).fma(xv, a3);
        }
        float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        if (j < je) {
            VectorMask<Float> m = S.indexInRange(j, je);
            long o = (long) j * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, xr + o, LE, m);
            t0 = FloatVector.fromMemorySegment(S, w, w0 + o, LE, m).mul(xv).reduceLanes(VectorOperators.ADD);
            t1 = FloatVector.fromMemorySegment(S, w, w1 + o, LE, m).mul(xv).reduceLanes(VectorOperators.ADD);
            t2 = FloatVector.fromMemorySegment(S, w, w2 + o, LE, m).mul(xv).reduceLanes(VectorOperators.ADD);
            t3 = FloatVector.fromMemorySegment(S, w, w3 + o, LE, m).mul(xv).reduceLanes(VectorOperators.ADD);
        }
        long yb = yOff + (long) b * rows + i;
        add(y, yb, a0.reduceLanes(VectorOperators.ADD) + t0);
        add(y, yb + 1, a1.reduceLanes(VectorOperators.ADD) + t1);
        add(y, yb + 2, a2.reduceLanes(VectorOperators.ADD) + t2);
        add(y, yb + 3, a3.reduceLanes(VectorOperators.ADD) + t3);
    }

    /** One row's dot product over columns [jb, je), masked loop (no vector under a branch). */
    private static float dot(MemorySegment w, long wRow, MemorySegment x, long xRow, int jb, int je) {
        FloatVector a0 = FloatVector.zero(S);
        for (int j = jb; j < je; j += L) {
            VectorMask<Float> m = S.indexInRange(j, je);
            a0 = FloatVector.fromMemorySegment(S, w, (wRow + j) * Float.BYTES, LE, m).fma(FloatVector.fromMemorySegment(S, x, (xRow + j) * Float.BYTES, LE, m), a0);
        }
        return a0.reduceLanes(VectorOperators.ADD);
    }

    private static void add(MemorySegment y, long at, float v) {
        y.setAtIndex(F32, at, y.getAtIndex(F32, at) + v);
    }
}
