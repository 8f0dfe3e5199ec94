package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.ROT_1;
import static fdht.kernels.vector.VectorConstants.ROT_2;
import static fdht.kernels.vector.VectorConstants.ROT_4;
import static fdht.kernels.vector.VectorConstants.ROT_8;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Dense {@code y[b] (+)= W x[b]}: the dense baselines and the trainer (the head has {@link
 * VectorHead}). The columns are processed in chunks of {@value #CHUNK} floats so the batch's slice
 * of {@code x} stays in cache while each row of {@code W} streams past once, four batch rows
 * sharing each weight vector (four weight rows sharing each input vector for the batch rows left
 * over). A row's sum is the same whatever the batch: per chunk, its full vectors then its tail.
 * Four independent FMA chains either way. Masked tails are reduced on their own: a vector
 * reassigned under a branch is boxed on the heap. Lanes are summed in one fixed order, a halving
 * tree ({@code v[i] + v[i + L/2]}, then {@code L/4}, ... down to lane 0: lane-wise adds and
 * rotations only, written out in each kernel so that no call takes a vector), not by {@code
 * reduceLanes(ADD)}, whose order differs between the interpreter and C2: with it the same product
 * came out a last bit apart before and after the JIT compiled this class.
 */
final class VectorDense {
    private static final int CHUNK = 2048;

    private VectorDense() {}

    static void gemm(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int batch,
            boolean accumulate) {
        w = offHeap(w);
        x = offHeap(x);
        y = offHeap(y);
        if (!accumulate) {
            for (long e = 0; e < (long) batch * rows; e++) y.setAtIndex(F32, yOff + e, 0f);
        }
        // column chunks keep the batch's slice of x in cache; each weight row's chunk serves every
        // batch row while in L1.
        // Every path sums a row chunk by chunk, each chunk as its full vectors plus its tail, so a
        // row's bits do not depend on the batch.
        for (int jb = 0; jb < cols; jb += CHUNK) {
            int je = Math.min(cols, jb + CHUNK);
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                int b = 0;
                for (; b + 4 <= batch; b += 4)
                    fourByFour(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
                for (; b < batch; b++)
                    fourWeightRows(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
            }
            for (; i < rows; i++) {
                int b = 0;
                for (; b + 4 <= batch; b += 4)
                    fourBatchRows(w, wOff, rows, cols, x, xOff, y, yOff, b, i, jb, je);
                for (; b < batch; b++)
                    add(
                            y,
                            yOff + (long) b * rows + i,
                            dot(w, wOff + (long) i * cols, x, xOff + (long) b * cols, jb, je));
            }
        }
    }

    /**
     * Weight rows i..i+3 times batch rows b..b+3 over columns [jb, je): sixteen accumulators, half
     * a load per FMA.
     */
    private static void fourByFour(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int b,
            int i,
            int jb,
            int je) {
        w = offHeap(w);
        x = offHeap(x);
        y = offHeap(y);
        long cb = (long) cols * Float.BYTES;
        long w0 = (wOff + (long) i * cols) * Float.BYTES, w1 = w0 + cb, w2 = w1 + cb, w3 = w2 + cb;
        long x0 = (xOff + (long) b * cols) * Float.BYTES, x1 = x0 + cb, x2 = x1 + cb, x3 = x2 + cb;
        FloatVector a00 = FloatVector.zero(S),
                a01 = a00,
                a02 = a00,
                a03 = a00,
                a10 = a00,
                a11 = a00,
                a12 = a00,
                a13 = a00;
        FloatVector a20 = a00,
                a21 = a00,
                a22 = a00,
                a23 = a00,
                a30 = a00,
                a31 = a00,
                a32 = a00,
                a33 = a00;
        int j = jb;
        for (; j + L <= je; j += L) {
            long o = (long) j * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(S, x, x0 + o, LE),
                    v1 = FloatVector.fromMemorySegment(S, x, x1 + o, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, x, x2 + o, LE),
                    v3 = FloatVector.fromMemorySegment(S, x, x3 + o, LE);
            FloatVector u = FloatVector.fromMemorySegment(S, w, w0 + o, LE);
            a00 = u.fma(v0, a00);
            a01 = u.fma(v1, a01);
            a02 = u.fma(v2, a02);
            a03 = u.fma(v3, a03);
            u = FloatVector.fromMemorySegment(S, w, w1 + o, LE);
            a10 = u.fma(v0, a10);
            a11 = u.fma(v1, a11);
            a12 = u.fma(v2, a12);
            a13 = u.fma(v3, a13);
            u = FloatVector.fromMemorySegment(S, w, w2 + o, LE);
            a20 = u.fma(v0, a20);
            a21 = u.fma(v1, a21);
            a22 = u.fma(v2, a22);
            a23 = u.fma(v3, a23);
            u = FloatVector.fromMemorySegment(S, w, w3 + o, LE);
            a30 = u.fma(v0, a30);
            a31 = u.fma(v1, a31);
            a32 = u.fma(v2, a32);
            a33 = u.fma(v3, a33);
        }
        long y0 = yOff + (long) b * rows + i;
        // the sums by hand, as everywhere in this class: a sum helper taking a vector, left
        // uninlined
        // by C2, boxes it.
        // Each sum and its tail go in
        // one add, as fourWeightRows adds them, so a row has the same bits at every batch size
        FloatVector a008 = L >= 16 ? a00.add(a00.rearrange(ROT_8)) : a00,
                a004 = L >= 8 ? a008.add(a008.rearrange(ROT_4)) : a008,
                a002 = L >= 4 ? a004.add(a004.rearrange(ROT_2)) : a004;
        add(
                y,
                y0,
                (L >= 2 ? a002.add(a002.rearrange(ROT_1)) : a002).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 0) * cols,
                                        x,
                                        xOff + (long) (b + 0) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a018 = L >= 16 ? a01.add(a01.rearrange(ROT_8)) : a01,
                a014 = L >= 8 ? a018.add(a018.rearrange(ROT_4)) : a018,
                a012 = L >= 4 ? a014.add(a014.rearrange(ROT_2)) : a014;
        add(
                y,
                y0 + rows,
                (L >= 2 ? a012.add(a012.rearrange(ROT_1)) : a012).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 0) * cols,
                                        x,
                                        xOff + (long) (b + 1) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a028 = L >= 16 ? a02.add(a02.rearrange(ROT_8)) : a02,
                a024 = L >= 8 ? a028.add(a028.rearrange(ROT_4)) : a028,
                a022 = L >= 4 ? a024.add(a024.rearrange(ROT_2)) : a024;
        add(
                y,
                y0 + 2L * rows,
                (L >= 2 ? a022.add(a022.rearrange(ROT_1)) : a022).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 0) * cols,
                                        x,
                                        xOff + (long) (b + 2) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a038 = L >= 16 ? a03.add(a03.rearrange(ROT_8)) : a03,
                a034 = L >= 8 ? a038.add(a038.rearrange(ROT_4)) : a038,
                a032 = L >= 4 ? a034.add(a034.rearrange(ROT_2)) : a034;
        add(
                y,
                y0 + 3L * rows,
                (L >= 2 ? a032.add(a032.rearrange(ROT_1)) : a032).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 0) * cols,
                                        x,
                                        xOff + (long) (b + 3) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a108 = L >= 16 ? a10.add(a10.rearrange(ROT_8)) : a10,
                a104 = L >= 8 ? a108.add(a108.rearrange(ROT_4)) : a108,
                a102 = L >= 4 ? a104.add(a104.rearrange(ROT_2)) : a104;
        add(
                y,
                y0 + 1,
                (L >= 2 ? a102.add(a102.rearrange(ROT_1)) : a102).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 1) * cols,
                                        x,
                                        xOff + (long) (b + 0) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a118 = L >= 16 ? a11.add(a11.rearrange(ROT_8)) : a11,
                a114 = L >= 8 ? a118.add(a118.rearrange(ROT_4)) : a118,
                a112 = L >= 4 ? a114.add(a114.rearrange(ROT_2)) : a114;
        add(
                y,
                y0 + 1 + rows,
                (L >= 2 ? a112.add(a112.rearrange(ROT_1)) : a112).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 1) * cols,
                                        x,
                                        xOff + (long) (b + 1) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a128 = L >= 16 ? a12.add(a12.rearrange(ROT_8)) : a12,
                a124 = L >= 8 ? a128.add(a128.rearrange(ROT_4)) : a128,
                a122 = L >= 4 ? a124.add(a124.rearrange(ROT_2)) : a124;
        add(
                y,
                y0 + 1 + 2L * rows,
                (L >= 2 ? a122.add(a122.rearrange(ROT_1)) : a122).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 1) * cols,
                                        x,
                                        xOff + (long) (b + 2) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a138 = L >= 16 ? a13.add(a13.rearrange(ROT_8)) : a13,
                a134 = L >= 8 ? a138.add(a138.rearrange(ROT_4)) : a138,
                a132 = L >= 4 ? a134.add(a134.rearrange(ROT_2)) : a134;
        add(
                y,
                y0 + 1 + 3L * rows,
                (L >= 2 ? a132.add(a132.rearrange(ROT_1)) : a132).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 1) * cols,
                                        x,
                                        xOff + (long) (b + 3) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a208 = L >= 16 ? a20.add(a20.rearrange(ROT_8)) : a20,
                a204 = L >= 8 ? a208.add(a208.rearrange(ROT_4)) : a208,
                a202 = L >= 4 ? a204.add(a204.rearrange(ROT_2)) : a204;
        add(
                y,
                y0 + 2,
                (L >= 2 ? a202.add(a202.rearrange(ROT_1)) : a202).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 2) * cols,
                                        x,
                                        xOff + (long) (b + 0) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a218 = L >= 16 ? a21.add(a21.rearrange(ROT_8)) : a21,
                a214 = L >= 8 ? a218.add(a218.rearrange(ROT_4)) : a218,
                a212 = L >= 4 ? a214.add(a214.rearrange(ROT_2)) : a214;
        add(
                y,
                y0 + 2 + rows,
                (L >= 2 ? a212.add(a212.rearrange(ROT_1)) : a212).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 2) * cols,
                                        x,
                                        xOff + (long) (b + 1) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a228 = L >= 16 ? a22.add(a22.rearrange(ROT_8)) : a22,
                a224 = L >= 8 ? a228.add(a228.rearrange(ROT_4)) : a228,
                a222 = L >= 4 ? a224.add(a224.rearrange(ROT_2)) : a224;
        add(
                y,
                y0 + 2 + 2L * rows,
                (L >= 2 ? a222.add(a222.rearrange(ROT_1)) : a222).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 2) * cols,
                                        x,
                                        xOff + (long) (b + 2) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a238 = L >= 16 ? a23.add(a23.rearrange(ROT_8)) : a23,
                a234 = L >= 8 ? a238.add(a238.rearrange(ROT_4)) : a238,
                a232 = L >= 4 ? a234.add(a234.rearrange(ROT_2)) : a234;
        add(
                y,
                y0 + 2 + 3L * rows,
                (L >= 2 ? a232.add(a232.rearrange(ROT_1)) : a232).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 2) * cols,
                                        x,
                                        xOff + (long) (b + 3) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a308 = L >= 16 ? a30.add(a30.rearrange(ROT_8)) : a30,
                a304 = L >= 8 ? a308.add(a308.rearrange(ROT_4)) : a308,
                a302 = L >= 4 ? a304.add(a304.rearrange(ROT_2)) : a304;
        add(
                y,
                y0 + 3,
                (L >= 2 ? a302.add(a302.rearrange(ROT_1)) : a302).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 3) * cols,
                                        x,
                                        xOff + (long) (b + 0) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a318 = L >= 16 ? a31.add(a31.rearrange(ROT_8)) : a31,
                a314 = L >= 8 ? a318.add(a318.rearrange(ROT_4)) : a318,
                a312 = L >= 4 ? a314.add(a314.rearrange(ROT_2)) : a314;
        add(
                y,
                y0 + 3 + rows,
                (L >= 2 ? a312.add(a312.rearrange(ROT_1)) : a312).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 3) * cols,
                                        x,
                                        xOff + (long) (b + 1) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a328 = L >= 16 ? a32.add(a32.rearrange(ROT_8)) : a32,
                a324 = L >= 8 ? a328.add(a328.rearrange(ROT_4)) : a328,
                a322 = L >= 4 ? a324.add(a324.rearrange(ROT_2)) : a324;
        add(
                y,
                y0 + 3 + 2L * rows,
                (L >= 2 ? a322.add(a322.rearrange(ROT_1)) : a322).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 3) * cols,
                                        x,
                                        xOff + (long) (b + 2) * cols,
                                        j,
                                        je)
                                : 0f));
        FloatVector a338 = L >= 16 ? a33.add(a33.rearrange(ROT_8)) : a33,
                a334 = L >= 8 ? a338.add(a338.rearrange(ROT_4)) : a338,
                a332 = L >= 4 ? a334.add(a334.rearrange(ROT_2)) : a334;
        add(
                y,
                y0 + 3 + 3L * rows,
                (L >= 2 ? a332.add(a332.rearrange(ROT_1)) : a332).lane(0)
                        + (j < je
                                ? dot(
                                        w,
                                        wOff + (long) (i + 3) * cols,
                                        x,
                                        xOff + (long) (b + 3) * cols,
                                        j,
                                        je)
                                : 0f));
    }

    /** Batch rows b..b+3 against weight row i, columns [jb, je). */
    private static void fourBatchRows(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int b,
            int i,
            int jb,
            int je) {
        w = offHeap(w);
        x = offHeap(x);
        y = offHeap(y);
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
            // the vector sums first, by hand (the class's halving tree), then the tails: see tail()
            FloatVector a08 = L >= 16 ? a0.add(a0.rearrange(ROT_8)) : a0,
                    a04 = L >= 8 ? a08.add(a08.rearrange(ROT_4)) : a08,
                    a02 = L >= 4 ? a04.add(a04.rearrange(ROT_2)) : a04;
            float s0 = (L >= 2 ? a02.add(a02.rearrange(ROT_1)) : a02).lane(0);
            FloatVector a18 = L >= 16 ? a1.add(a1.rearrange(ROT_8)) : a1,
                    a14 = L >= 8 ? a18.add(a18.rearrange(ROT_4)) : a18,
                    a12 = L >= 4 ? a14.add(a14.rearrange(ROT_2)) : a14;
            float s1 = (L >= 2 ? a12.add(a12.rearrange(ROT_1)) : a12).lane(0);
            FloatVector a28 = L >= 16 ? a2.add(a2.rearrange(ROT_8)) : a2,
                    a24 = L >= 8 ? a28.add(a28.rearrange(ROT_4)) : a28,
                    a22 = L >= 4 ? a24.add(a24.rearrange(ROT_2)) : a24;
            float s2 = (L >= 2 ? a22.add(a22.rearrange(ROT_1)) : a22).lane(0);
            FloatVector a38 = L >= 16 ? a3.add(a3.rearrange(ROT_8)) : a3,
                    a34 = L >= 8 ? a38.add(a38.rearrange(ROT_4)) : a38,
                    a32 = L >= 4 ? a34.add(a34.rearrange(ROT_2)) : a34;
            float s3 = (L >= 2 ? a32.add(a32.rearrange(ROT_1)) : a32).lane(0);
            long wf = wOff + (long) i * cols, xf = xOff + (long) b * cols;
            add(y, yOff + (long) b * rows + i, s0 + tail(w, wf, x, xf, j, je));
            add(y, yOff + (long) (b + 1) * rows + i, s1 + tail(w, wf, x, xf + cols, j, je));
            add(y, yOff + (long) (b + 2) * rows + i, s2 + tail(w, wf, x, xf + 2L * cols, j, je));
            add(y, yOff + (long) (b + 3) * rows + i, s3 + tail(w, wf, x, xf + 3L * cols, j, je));
        }
    }

    /**
     * Weight rows i..i+3 against batch row b, columns [jb, je): four weight streams share each x
     * vector.
     */
    private static void fourWeightRows(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int b,
            int i,
            int jb,
            int je) {
        w = offHeap(w);
        x = offHeap(x);
        y = offHeap(y);
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
        // the vector sums first, by hand (the class's halving tree), then the tails: see tail()
        FloatVector a08 = L >= 16 ? a0.add(a0.rearrange(ROT_8)) : a0,
                a04 = L >= 8 ? a08.add(a08.rearrange(ROT_4)) : a08,
                a02 = L >= 4 ? a04.add(a04.rearrange(ROT_2)) : a04;
        float s0 = (L >= 2 ? a02.add(a02.rearrange(ROT_1)) : a02).lane(0);
        FloatVector a18 = L >= 16 ? a1.add(a1.rearrange(ROT_8)) : a1,
                a14 = L >= 8 ? a18.add(a18.rearrange(ROT_4)) : a18,
                a12 = L >= 4 ? a14.add(a14.rearrange(ROT_2)) : a14;
        float s1 = (L >= 2 ? a12.add(a12.rearrange(ROT_1)) : a12).lane(0);
        FloatVector a28 = L >= 16 ? a2.add(a2.rearrange(ROT_8)) : a2,
                a24 = L >= 8 ? a28.add(a28.rearrange(ROT_4)) : a28,
                a22 = L >= 4 ? a24.add(a24.rearrange(ROT_2)) : a24;
        float s2 = (L >= 2 ? a22.add(a22.rearrange(ROT_1)) : a22).lane(0);
        FloatVector a38 = L >= 16 ? a3.add(a3.rearrange(ROT_8)) : a3,
                a34 = L >= 8 ? a38.add(a38.rearrange(ROT_4)) : a38,
                a32 = L >= 4 ? a34.add(a34.rearrange(ROT_2)) : a34;
        float s3 = (L >= 2 ? a32.add(a32.rearrange(ROT_1)) : a32).lane(0);
        long yb = yOff + (long) b * rows + i;
        long wf = wOff + (long) i * cols, xf = xOff + (long) b * cols;
        add(y, yb, s0 + tail(w, wf, x, xf, j, je));
        add(y, yb + 1, s1 + tail(w, wf + cols, x, xf, j, je));
        add(y, yb + 2, s2 + tail(w, wf + 2L * cols, x, xf, j, je));
        add(y, yb + 3, s3 + tail(w, wf + 3L * cols, x, xf, j, je));
    }

    /**
     * One row's dot product over columns [jb, je), summed as the blocked paths sum it: the full
     * vectors, then the masked tail's products on their own (no vector reassigned under a branch).
     */
    private static float dot(
            MemorySegment w, long wRow, MemorySegment x, long xRow, int jb, int je) {
        w = offHeap(w);
        x = offHeap(x);
        FloatVector a0 = FloatVector.zero(S);
        int j = jb;
        for (; j + L <= je; j += L) {
            a0 =
                    FloatVector.fromMemorySegment(S, w, (wRow + j) * Float.BYTES, LE)
                            .fma(
                                    FloatVector.fromMemorySegment(
                                            S, x, (xRow + j) * Float.BYTES, LE),
                                    a0);
        }
        FloatVector a08 = L >= 16 ? a0.add(a0.rearrange(ROT_8)) : a0,
                a04 = L >= 8 ? a08.add(a08.rearrange(ROT_4)) : a08,
                a02 = L >= 4 ? a04.add(a04.rearrange(ROT_2)) : a04;
        float s0 = (L >= 2 ? a02.add(a02.rearrange(ROT_1)) : a02).lane(0);
        return s0 + tail(w, wRow, x, xRow, j, je);
    }

    /**
     * The masked tail of one row's dot product, columns [j, je) with {@code je - j < L}: the
     * halving-tree sum of the products, as every path sums it; 0 when there is none. Why its own
     * method, and why the callers take their vector sums before calling it: a method past C2's
     * inlining node budget (reached in JVMs whose segment-access code has seen confined and heap
     * segments) leaves its last calls uninlined, and an uninlined call that takes a vector boxes it
     * (an HT-on-{@code W_x} step at batch 1 was seen at 750 us and 1.6 MB instead of 4 us and 0);
     * this one takes and returns no vector, and the sums come before it.
     */
    private static float tail(
            MemorySegment w, long wRow, MemorySegment x, long xRow, int j, int je) {
        if (j >= je) return 0f;
        w = offHeap(w);
        x = offHeap(x);
        VectorMask<Float> m = S.indexInRange(j, je);
        FloatVector p =
                FloatVector.fromMemorySegment(S, w, (wRow + j) * Float.BYTES, LE, m)
                        .mul(FloatVector.fromMemorySegment(S, x, (xRow + j) * Float.BYTES, LE, m));
        FloatVector p8 = L >= 16 ? p.add(p.rearrange(ROT_8)) : p,
                p4 = L >= 8 ? p8.add(p8.rearrange(ROT_4)) : p8,
                p2 = L >= 4 ? p4.add(p4.rearrange(ROT_2)) : p4;
        float t = (L >= 2 ? p2.add(p2.rearrange(ROT_1)) : p2).lane(0);
        return t;
    }

    private static void add(MemorySegment y, long at, float v) {
        y = offHeap(y);
        y.setAtIndex(F32, at, y.getAtIndex(F32, at) + v);
    }
}
