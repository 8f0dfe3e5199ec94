package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The classification head, {@code y[b][c] = bias[c] + sum_k wt[k][c] h[b][k]}, with the classes in
 * the lanes: each lane is one logit's fused multiply-add chain over {@code k}, so there are no lane
 * sums (which cost the row-wise {@link VectorDense} more than its 128 products for a head of 40
 * classes over 128 units) and a logit's bits are those of the scalar twin's {@code Math.fma} chain,
 * whatever the batch or lane count. Four batch rows share each weight vector and three class
 * vectors share each broadcast hidden unit: twelve independent chains, one load per FMA or less.
 *
 * <p>No masked stores: the last vector of a row starts at {@code classes - L} and overlaps the one
 * before it, whose shared lanes it computes again to the same bits, so every store is a whole
 * vector inside the row. Measured with twelve masked stores instead (2026-12-08): 118 KB of C2 code
 * and 0.14-0.29 s a compile, against 20-44 KB and 0.03-0.04 s, in a JIT warm-up that already
 * decides how fast a cold {@code fdht infer} is. Only a head of fewer classes than lanes stores
 * under a mask.
 */
final class VectorHead {
    private VectorHead() {}

    static void apply(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int batch,
            MemorySegment y,
            long yOff) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        if (classes < L) {
            for (int b = 0; b < batch; b++)
                narrowRow(wt, bias, hidden, classes, stride, h, hOff, b, y, yOff);
            return;
        }
        int vectors = Math.ceilDiv(classes, L);
        int v = 0;
        for (; v + 3 <= vectors; v += 3) {
            int c0 = start(v, classes), c1 = start(v + 1, classes), c2 = start(v + 2, classes);
            int b = 0;
            for (; b + 4 <= batch; b += 4)
                fourRowsThreeVectors(
                        wt, bias, hidden, classes, stride, h, hOff, b, y, yOff, c0, c1, c2);
            for (; b < batch; b++)
                oneRowThreeVectors(
                        wt, bias, hidden, classes, stride, h, hOff, b, y, yOff, c0, c1, c2);
        }
        for (; v < vectors; v++) {
            int c = start(v, classes);
            int b = 0;
            for (; b + 4 <= batch; b += 4)
                fourRowsOneVector(wt, bias, hidden, classes, stride, h, hOff, b, y, yOff, c);
            for (; b < batch; b++)
                oneRowOneVector(wt, bias, hidden, classes, stride, h, hOff, b, y, yOff, c);
        }
    }

    /** The first class of vector {@code v}: the last one ends at the last class. */
    private static int start(int v, int classes) {
        return Math.min(v * L, classes - L);
    }

    /** Rows {@code b..b+3}, the classes of the vectors at {@code c0, c1, c2}: twelve chains. */
    private static void fourRowsThreeVectors(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int b,
            MemorySegment y,
            long yOff,
            int c0,
            int c1,
            int c2) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        long o0 = (long) c0 * Float.BYTES,
                o1 = (long) c1 * Float.BYTES,
                o2 = (long) c2 * Float.BYTES;
        FloatVector a00 = FloatVector.fromMemorySegment(S, bias, o0, LE),
                a01 = FloatVector.fromMemorySegment(S, bias, o1, LE),
                a02 = FloatVector.fromMemorySegment(S, bias, o2, LE);
        FloatVector a10 = a00, a11 = a01, a12 = a02;
        FloatVector a20 = a00, a21 = a01, a22 = a02;
        FloatVector a30 = a00, a31 = a01, a32 = a02;
        long h0 = hOff + (long) b * hidden, h1 = h0 + hidden, h2 = h1 + hidden, h3 = h2 + hidden;
        long rowBytes = (long) stride * Float.BYTES;
        for (int k = 0; k < hidden; k++) {
            long w = k * rowBytes;
            FloatVector w0 = FloatVector.fromMemorySegment(S, wt, w + o0, LE),
                    w1 = FloatVector.fromMemorySegment(S, wt, w + o1, LE),
                    w2 = FloatVector.fromMemorySegment(S, wt, w + o2, LE);
            FloatVector x = FloatVector.broadcast(S, h.getAtIndex(F32, h0 + k));
            a00 = w0.fma(x, a00);
            a01 = w1.fma(x, a01);
            a02 = w2.fma(x, a02);
            x = FloatVector.broadcast(S, h.getAtIndex(F32, h1 + k));
            a10 = w0.fma(x, a10);
            a11 = w1.fma(x, a11);
            a12 = w2.fma(x, a12);
            x = FloatVector.broadcast(S, h.getAtIndex(F32, h2 + k));
            a20 = w0.fma(x, a20);
            a21 = w1.fma(x, a21);
            a22 = w2.fma(x, a22);
            x = FloatVector.broadcast(S, h.getAtIndex(F32, h3 + k));
            a30 = w0.fma(x, a30);
            a31 = w1.fma(x, a31);
            a32 = w2.fma(x, a32);
        }
        long rb = (long) classes * Float.BYTES;
        long y0 = (yOff + (long) b * classes) * Float.BYTES,
                y1 = y0 + rb,
                y2 = y1 + rb,
                y3 = y2 + rb;
        a00.intoMemorySegment(y, y0 + o0, LE);
        a01.intoMemorySegment(y, y0 + o1, LE);
        a02.intoMemorySegment(y, y0 + o2, LE);
        a10.intoMemorySegment(y, y1 + o0, LE);
        a11.intoMemorySegment(y, y1 + o1, LE);
        a12.intoMemorySegment(y, y1 + o2, LE);
        a20.intoMemorySegment(y, y2 + o0, LE);
        a21.intoMemorySegment(y, y2 + o1, LE);
        a22.intoMemorySegment(y, y2 + o2, LE);
        a30.intoMemorySegment(y, y3 + o0, LE);
        a31.intoMemorySegment(y, y3 + o1, LE);
        a32.intoMemorySegment(y, y3 + o2, LE);
    }

    /** Row {@code b}, the classes of the vectors at {@code c0, c1, c2}. */
    private static void oneRowThreeVectors(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int b,
            MemorySegment y,
            long yOff,
            int c0,
            int c1,
            int c2) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        long o0 = (long) c0 * Float.BYTES,
                o1 = (long) c1 * Float.BYTES,
                o2 = (long) c2 * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(S, bias, o0, LE),
                a1 = FloatVector.fromMemorySegment(S, bias, o1, LE),
                a2 = FloatVector.fromMemorySegment(S, bias, o2, LE);
        long h0 = hOff + (long) b * hidden;
        long rowBytes = (long) stride * Float.BYTES;
        for (int k = 0; k < hidden; k++) {
            long w = k * rowBytes;
            FloatVector x = FloatVector.broadcast(S, h.getAtIndex(F32, h0 + k));
            a0 = FloatVector.fromMemorySegment(S, wt, w + o0, LE).fma(x, a0);
            a1 = FloatVector.fromMemorySegment(S, wt, w + o1, LE).fma(x, a1);
            a2 = FloatVector.fromMemorySegment(S, wt, w + o2, LE).fma(x, a2);
        }
        long y0 = (yOff + (long) b * classes) * Float.BYTES;
        a0.intoMemorySegment(y, y0 + o0, LE);
        a1.intoMemorySegment(y, y0 + o1, LE);
        a2.intoMemorySegment(y, y0 + o2, LE);
    }

    /**
     * Rows {@code b..b+3}, the classes of the vector at {@code c}: the vectors after the threes.
     */
    private static void fourRowsOneVector(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int b,
            MemorySegment y,
            long yOff,
            int c) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        long o = (long) c * Float.BYTES;
        FloatVector a0 = FloatVector.fromMemorySegment(S, bias, o, LE), a1 = a0, a2 = a0, a3 = a0;
        long h0 = hOff + (long) b * hidden, h1 = h0 + hidden, h2 = h1 + hidden, h3 = h2 + hidden;
        long rowBytes = (long) stride * Float.BYTES;
        for (int k = 0; k < hidden; k++) {
            FloatVector w = FloatVector.fromMemorySegment(S, wt, k * rowBytes + o, LE);
            a0 = w.fma(FloatVector.broadcast(S, h.getAtIndex(F32, h0 + k)), a0);
            a1 = w.fma(FloatVector.broadcast(S, h.getAtIndex(F32, h1 + k)), a1);
            a2 = w.fma(FloatVector.broadcast(S, h.getAtIndex(F32, h2 + k)), a2);
            a3 = w.fma(FloatVector.broadcast(S, h.getAtIndex(F32, h3 + k)), a3);
        }
        long rb = (long) classes * Float.BYTES;
        long y0 = (yOff + (long) b * classes) * Float.BYTES + o;
        a0.intoMemorySegment(y, y0, LE);
        a1.intoMemorySegment(y, y0 + rb, LE);
        a2.intoMemorySegment(y, y0 + 2 * rb, LE);
        a3.intoMemorySegment(y, y0 + 3 * rb, LE);
    }

    /** Row {@code b}, the classes of the vector at {@code c}. */
    private static void oneRowOneVector(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int b,
            MemorySegment y,
            long yOff,
            int c) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        long o = (long) c * Float.BYTES;
        FloatVector a = FloatVector.fromMemorySegment(S, bias, o, LE);
        long h0 = hOff + (long) b * hidden;
        long rowBytes = (long) stride * Float.BYTES;
        for (int k = 0; k < hidden; k++)
            a =
                    FloatVector.fromMemorySegment(S, wt, k * rowBytes + o, LE)
                            .fma(FloatVector.broadcast(S, h.getAtIndex(F32, h0 + k)), a);
        a.intoMemorySegment(y, (yOff + (long) b * classes) * Float.BYTES + o, LE);
    }

    /** Row {@code b} of a head of fewer classes than lanes: one vector, stored under a mask. */
    private static void narrowRow(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int b,
            MemorySegment y,
            long yOff) {
        wt = offHeap(wt);
        bias = offHeap(bias);
        h = offHeap(h);
        y = offHeap(y);
        FloatVector a = FloatVector.fromMemorySegment(S, bias, 0, LE);
        long h0 = hOff + (long) b * hidden;
        long rowBytes = (long) stride * Float.BYTES;
        for (int k = 0; k < hidden; k++)
            a =
                    FloatVector.fromMemorySegment(S, wt, k * rowBytes, LE)
                            .fma(FloatVector.broadcast(S, h.getAtIndex(F32, h0 + k)), a);
        a.intoMemorySegment(
                y, (yOff + (long) b * classes) * Float.BYTES, LE, S.indexInRange(0, classes));
    }
}
