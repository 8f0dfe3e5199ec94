package fdht.kernels.vector;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stage GEMM {@code out[p][k] = sum_c in[rowBase[p] + cOff[c]] * F[c][k]}, vectorised along
 * {@code k} (the produced axes, contiguous in both F and out). Input elements are broadcast, so
 * the stage's permuted view costs nothing beyond its address tables.
 *
 * <p>Register blocking: for {@code Q <= L} eight rows at once (eight independent FMA chains, what
 * two FMA pipes of latency four need); for wider {@code Q} four rows times two vector chunks.
 * Lanes past {@code Q} compute garbage from F's padding and are masked off on the store.
 */
final class VectorContract {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorContract() {}

    static void contract(CompiledPlan.Step st, MemorySegment fs, MemorySegment in, long inOff, MemorySegment out, long outOff) {
        if (st.q() <= L) {
            narrow(st, fs, in, inOff, out, outOff);
        } else {
            wide(st, fs, in, inOff, out, outOff);
        }
    }

    /** Q <= L: one vector per row, eight rows per block. */
    private static void narrow(CompiledPlan.Step st, MemorySegment fs, MemorySegment in, long inOff, MemorySegment out, long outOff) {
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = st.rowBase();
        final int[] co = st.contractedOffset();
        final long fBytes = st.factorOffset() * Float.BYTES;
        final long qBytes = (long) q * Float.BYTES;
        final VectorMask<Float> m = S.indexInRange(0, q);
        int r = 0;
        for (; r + 8 <= p; r += 8) {
            long b0 = inOff + rb[r], b1 = inOff + rb[r + 1], b2 = inOff + rb[r + 2], b3 = inOff + rb[r + 3];
            long b4 = inOff + rb[r + 4], b5 = inOff + rb[r + 5], b6 = inOff + rb[r + 6], b7 = inOff + rb[r + 7];
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
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
            }
            long ob = (outOff + (long) r * q) * Float.BYTES;
            a0.intoMemorySegment(out, ob, LE, m);
            a1.intoMemorySegment(out, ob + qBytes, LE, m);
            a2.intoMemorySegment(out, ob + 2 * qBytes, LE, m);
            a3.intoMemorySegment(out, ob + 3 * qBytes, LE, m);
            a4.intoMemorySegment(out, ob + 4 * qBytes, LE, m);
            a5.intoMemorySegment(out, ob + 5 * qBytes, LE, m);
            a6.intoMemorySegment(out, ob + 6 * qBytes, LE, m);
            a7.intoMemorySegment(out, ob + 7 * qBytes, LE, m);
        }
        for (; r < p; r++) {
            long b0 = inOff + rb[r];
            FloatVector a0 = FloatVector.zero(S);
            long fo = fBytes;
            for (int j = 0; j < c; j++, fo += qBytes) {
                a0 = FloatVector.fromMemorySegment(S, fs, fo, LE).fma(FloatVector.broadcast(S, in.getAtIndex(F32, b0 + co[j])), a0);
            }
            a0.intoMemorySegment(out, (outOff + (long) r * q) * Float.BYTES, LE, m);
        }
    }

    /** Q > L: chunks of L lanes, two chunks times four rows per block. */
    private static void wide(CompiledPlan.Step st, MemorySegment fs, MemorySegment in, long inOff, MemorySegment out, long outOff) {
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = st.rowBase();
        final int[] co = st.contractedOffset();
        final long fBytes = st.factorOffset() * Float.BYTES;
        final long qBytes = (long) q * Float.BYTES;
        final long lBytes = (long) L * Float.BYTES;
        int r = 0;
        for (; r + 4 <= p; r += 4) {
            long b0 = inOff + rb[r], b1 = inOff + rb[r + 1], b2 = inOff + rb[r + 2], b3 = inOff + rb[r + 3];
            long ob = (outOff + (long) r * q) * Float.BYTES;
            int k = 0;
            for (; k + 2 * L <= q; k += 2 * L) {
                FloatVector x0 = FloatVector.zero(S), x1 = x0, x2 = x0, x3 = x0, y0 = x0, y1 = x0, y2 = x0, y3 = x0;
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
                    x0 = FloatVector.fromMemorySegment(S, fs, fo, LE).fma(FloatVector.broadcast(S, in.getAtIndex(F32, b0 + co[j])), x0);
                }
                x0.intoMemorySegment(out, ob + (long) k * Float.BYTES, LE, m);
            }
        }
    }
}
