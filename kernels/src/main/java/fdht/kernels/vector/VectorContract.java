package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.layout.CompiledPlan;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The stage GEMM {@code out[p][k] = sum_c in[rowBase[p] + cOff[c]] * F[c][k]}, vectorised along
 * {@code k} (the produced axes, contiguous in both F and out). Input elements are broadcast, so the
 * stage's permuted view costs nothing beyond its address tables.
 *
 * <p>Register blocking: for {@code Q <= L} sixteen rows at once (sixteen independent FMA chains,
 * each fed by one broadcast: the broadcasts, not the FMAs, are the limit); for wider {@code Q} four
 * rows times two vector chunks. Lanes past {@code Q} compute garbage from F's padding and are
 * masked off on the store.
 */
final class VectorContract {

    private VectorContract() {}

    static void contract(
            CompiledPlan.Step st,
            MemorySegment fs,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        if (st.q() <= L) {
            narrow(st, fs, in, inOff, out, outOff);
        } else {
            wide(st, fs, in, inOff, out, outOff);
        }
    }

    /**
     * Q <= L: one vector per row, sixteen rows per block (measured: 16 rows 91, 8 rows 79 GFLOP/s
     * on a 1816x32x16 stage).
     */
    private static void narrow(
            CompiledPlan.Step st,
            MemorySegment fs,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = PlanTables.rowBaseTable(st);
        final int[] co = PlanTables.contractedOffsetTable(st);
        final long fBytes = st.factorOffset() * Float.BYTES;
        final long qBytes = (long) q * Float.BYTES;
        final VectorMask<Float> m =
                S.indexInRange(0, q); // never a mask chosen by a branch: that one gets boxed
        int r = 0;
        for (; r + 16 <= p; r += 16) {
            narrowBlock(
                    fs,
                    fBytes,
                    c,
                    q,
                    co,
                    in,
                    inOff,
                    rb,
                    r,
                    out,
                    (outOff + (long) r * q) * Float.BYTES);
        }
        for (; r < p; r++) {
            long b0 = inOff + rb[r];
            FloatVector a0 = FloatVector.zero(S);
            long fo = fBytes;
            for (int j = 0; j < c; j++, fo += qBytes) {
                a0 =
                        FloatVector.fromMemorySegment(S, fs, fo, LE)
                                .fma(FloatVector.broadcast(S, in.getAtIndex(F32, b0 + co[j])), a0);
            }
            a0.intoMemorySegment(out, (outOff + (long) r * q) * Float.BYTES, LE, m);
        }
    }

    /**
     * Sixteen rows of a narrow stage. A method of its own because C1 cannot compile it at tier 3
     * ("out of virtual registers"), so {@link C1Directive} keeps C1 off it; the rest of {@code
     * narrow} stays an ordinary method.
     */
    private static void narrowBlock(
            MemorySegment fs,
            long fBytes,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long inOff,
            int[] rb,
            int r,
            MemorySegment out,
            long ob) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final long qBytes = (long) q * Float.BYTES;
        final VectorMask<Float> m =
                S.indexInRange(
                        0, q); // made here: a mask passed to a method that is not inlined is boxed
        long b0 = inOff + rb[r + 0],
                b1 = inOff + rb[r + 1],
                b2 = inOff + rb[r + 2],
                b3 = inOff + rb[r + 3];
        long b4 = inOff + rb[r + 4],
                b5 = inOff + rb[r + 5],
                b6 = inOff + rb[r + 6],
                b7 = inOff + rb[r + 7];
        long b8 = inOff + rb[r + 8],
                b9 = inOff + rb[r + 9],
                b10 = inOff + rb[r + 10],
                b11 = inOff + rb[r + 11];
        long b12 = inOff + rb[r + 12],
                b13 = inOff + rb[r + 13],
                b14 = inOff + rb[r + 14],
                b15 = inOff + rb[r + 15];
        FloatVector a0 = FloatVector.zero(S),
                a1 = a0,
                a2 = a0,
                a3 = a0,
                a4 = a0,
                a5 = a0,
                a6 = a0,
                a7 = a0,
                a8 = a0,
                a9 = a0,
                a10 = a0,
                a11 = a0,
                a12 = a0,
                a13 = a0,
                a14 = a0,
                a15 = a0;
        long fo = fBytes;
        for (int j = 0; j < c; j++, fo += qBytes) {
            FloatVector f = FloatVector.fromMemorySegment(S, fs, fo, LE);
            long o = co[j];
            a0 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b0 + o)), a0);
            a1 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b1 + o)), a1);
            a2 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b2 + o)), a2);
            a3 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b3 + o)), a3);
            a4 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b4 + o)), a4);
            a5 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b5 + o)), a5);
            a6 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b6 + o)), a6);
            a7 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b7 + o)), a7);
            a8 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b8 + o)), a8);
            a9 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b9 + o)), a9);
            a10 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b10 + o)), a10);
            a11 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b11 + o)), a11);
            a12 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b12 + o)), a12);
            a13 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b13 + o)), a13);
            a14 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b14 + o)), a14);
            a15 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b15 + o)), a15);
        }
        a0.intoMemorySegment(out, ob + 0 * qBytes, LE, m);
        a1.intoMemorySegment(out, ob + 1 * qBytes, LE, m);
        a2.intoMemorySegment(out, ob + 2 * qBytes, LE, m);
        a3.intoMemorySegment(out, ob + 3 * qBytes, LE, m);
        a4.intoMemorySegment(out, ob + 4 * qBytes, LE, m);
        a5.intoMemorySegment(out, ob + 5 * qBytes, LE, m);
        a6.intoMemorySegment(out, ob + 6 * qBytes, LE, m);
        a7.intoMemorySegment(out, ob + 7 * qBytes, LE, m);
        a8.intoMemorySegment(out, ob + 8 * qBytes, LE, m);
        a9.intoMemorySegment(out, ob + 9 * qBytes, LE, m);
        a10.intoMemorySegment(out, ob + 10 * qBytes, LE, m);
        a11.intoMemorySegment(out, ob + 11 * qBytes, LE, m);
        a12.intoMemorySegment(out, ob + 12 * qBytes, LE, m);
        a13.intoMemorySegment(out, ob + 13 * qBytes, LE, m);
        a14.intoMemorySegment(out, ob + 14 * qBytes, LE, m);
        a15.intoMemorySegment(out, ob + 15 * qBytes, LE, m);
    }

    /** Q > L: chunks of L lanes, two chunks times four rows per block. */
    private static void wide(
            CompiledPlan.Step st,
            MemorySegment fs,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = PlanTables.rowBaseTable(st);
        final int[] co = PlanTables.contractedOffsetTable(st);
        final long fBytes = st.factorOffset() * Float.BYTES;
        final long qBytes = (long) q * Float.BYTES;
        final long lBytes = (long) L * Float.BYTES;
        int r = 0;
        for (; r + 4 <= p; r += 4) {
            long b0 = inOff + rb[r],
                    b1 = inOff + rb[r + 1],
                    b2 = inOff + rb[r + 2],
                    b3 = inOff + rb[r + 3];
            long ob = (outOff + (long) r * q) * Float.BYTES;
            int k = 0;
            for (; k + 2 * L <= q; k += 2 * L) {
                FloatVector x0 = FloatVector.zero(S),
                        x1 = x0,
                        x2 = x0,
                        x3 = x0,
                        y0 = x0,
                        y1 = x0,
                        y2 = x0,
                        y3 = x0;
                long fo = fBytes + (long) k * Float.BYTES;
                for (int j = 0; j < c; j++, fo += qBytes) {
                    FloatVector f = FloatVector.fromMemorySegment(S, fs, fo, LE);
                    FloatVector g = FloatVector.fromMemorySegment(S, fs, fo + lBytes, LE);
                    long o = co[j];
                    float v0 = in.getAtIndex(F32, b0 + o), v1 = in.getAtIndex(F32, b1 + o);
                    float v2 = in.getAtIndex(F32, b2 + o), v3 = in.getAtIndex(F32, b3 + o);
                    x0 = f.fma(FloatVector.broadcast(S, v0), x0);
                    y0 = g.fma(FloatVector.broadcast(S, v0), y0);
                    x1 = f.fma(FloatVector.broadcast(S, v1), x1);
                    y1 = g.fma(FloatVector.broadcast(S, v1), y1);
                    x2 = f.fma(FloatVector.broadcast(S, v2), x2);
                    y2 = g.fma(FloatVector.broadcast(S, v2), y2);
                    x3 = f.fma(FloatVector.broadcast(S, v3), x3);
                    y3 = g.fma(FloatVector.broadcast(S, v3), y3);
                }
                long kb = ob + (long) k * Float.BYTES;
                x0.intoMemorySegment(out, kb, LE);
                y0.intoMemorySegment(out, kb + lBytes, LE);
                x1.intoMemorySegment(out, kb + qBytes, LE);
                y1.intoMemorySegment(out, kb + qBytes + lBytes, LE);
                x2.intoMemorySegment(out, kb + 2 * qBytes, LE);
                y2.intoMemorySegment(out, kb + 2 * qBytes + lBytes, LE);
                x3.intoMemorySegment(out, kb + 3 * qBytes, LE);
                y3.intoMemorySegment(out, kb + 3 * qBytes + lBytes, LE);
            }
            for (; k < q; k += L) {
                VectorMask<Float> m = S.indexInRange(k, q);
                FloatVector x0 = FloatVector.zero(S), x1 = x0, x2 = x0, x3 = x0;
                long fo = fBytes + (long) k * Float.BYTES;
                for (int j = 0; j < c; j++, fo += qBytes) {
                    FloatVector f = FloatVector.fromMemorySegment(S, fs, fo, LE);
                    long o = co[j];
                    x0 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b0 + o)), x0);
                    x1 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b1 + o)), x1);
                    x2 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b2 + o)), x2);
                    x3 = f.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b3 + o)), x3);
                }
                long kb = ob + (long) k * Float.BYTES;
                x0.intoMemorySegment(out, kb, LE, m);
                x1.intoMemorySegment(out, kb + qBytes, LE, m);
                x2.intoMemorySegment(out, kb + 2 * qBytes, LE, m);
                x3.intoMemorySegment(out, kb + 3 * qBytes, LE, m);
            }
        }
        for (; r < p; r++) {
            long b0 = inOff + rb[r];
            long ob = (outOff + (long) r * q) * Float.BYTES;
            for (int k = 0; k < q; k += L) {
                VectorMask<Float> m = S.indexInRange(k, q);
                FloatVector x0 = FloatVector.zero(S);
                long fo = fBytes + (long) k * Float.BYTES;
                for (int j = 0; j < c; j++, fo += qBytes) {
                    x0 =
                            FloatVector.fromMemorySegment(S, fs, fo, LE)
                                    .fma(
                                            FloatVector.broadcast(
                                                    S, in.getAtIndex(F32, b0 + co[j])),
                                            x0);
                }
                x0.intoMemorySegment(out, ob + (long) k * Float.BYTES, LE, m);
            }
        }
    }
}
