package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The stage GEMM over the lane layout ({@code fdht.kernels.Kernels#contractLanes}): a vector runs
 * along the batch, so {@code out[p][k]} of {@code L} batch rows is one vector and every FMA takes
 * one contiguous vector load of inputs and a factor entry broadcast once into a register: the
 * register-blocked GEMM micro-kernel of DESIGN.md section 3, two rows times eight factor columns
 * (16 accumulators, 10 loads per 16 FMAs: FMA-bound where two loads issue per cycle, where the
 * row-folded kernel {@link VectorContract} needs one load and one broadcast per FMA). The stage's
 * permuted view is the batch-1 plan's address tables, scaled by {@code L}: whole vectors move,
 * never lanes. Every method narrows its segments with {@link VectorConstants#offHeap} first.
 */
final class VectorLaneContract {
    private static final long VB = (long) L * Float.BYTES; // bytes of one lane-layout element

    private VectorLaneContract() {}

    static void contract(
            CompiledPlan.Step st,
            MemorySegment fs,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff,
            int chunks) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = st.internalRowBaseTable();
        final int[] co = st.internalContractedOffsetTable();
        final long fBytes = st.factorOffset() * Float.BYTES;
        final long inChunk = st.inputSize() * VB, outChunk = (long) p * q * VB;
        for (int k = 0; k < chunks; k++) {
            final long ib = inOff * Float.BYTES + k * inChunk,
                    ob = outOff * Float.BYTES + k * outChunk;
            int r = 0;
            for (; r + 2 <= p; r += 2) {
                int qq = 0;
                for (; qq + 8 <= q; qq += 8) {
                    block2x8(
                            fs,
                            fBytes + (long) qq * Float.BYTES,
                            c,
                            q,
                            co,
                            in,
                            ib + rb[r] * VB,
                            ib + rb[r + 1] * VB,
                            out,
                            ob + ((long) r * q + qq) * VB);
                }
                for (; qq < q; qq++) {
                    for (int i = 0; i < 2; i++)
                        one(
                                fs,
                                fBytes + (long) qq * Float.BYTES,
                                c,
                                q,
                                co,
                                in,
                                ib + rb[r + i] * VB,
                                out,
                                ob + ((long) (r + i) * q + qq) * VB);
                }
            }
            // one row left: eight columns at a time still, each factor entry loaded once
            for (; r < p; r++) {
                int qq = 0;
                for (; qq + 8 <= q; qq += 8)
                    block1x8(
                            fs,
                            fBytes + (long) qq * Float.BYTES,
                            c,
                            q,
                            co,
                            in,
                            ib + rb[r] * VB,
                            out,
                            ob + ((long) r * q + qq) * VB);
                for (; qq < q; qq++)
                    one(
                            fs,
                            fBytes + (long) qq * Float.BYTES,
                            c,
                            q,
                            co,
                            in,
                            ib + rb[r] * VB,
                            out,
                            ob + ((long) r * q + qq) * VB);
            }
        }
    }

    /**
     * One row times eight factor columns: the row {@link #block2x8} leaves over. Eight independent
     * FMA chains, so it is not bound by the FMA latency as eight calls of {@link #one} are.
     */
    private static void block1x8(
            MemorySegment fs,
            long fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            MemorySegment out,
            long ob) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final long qBytes = (long) q * Float.BYTES;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int j = 0; j < c; j++, fo += qBytes) {
            FloatVector x = FloatVector.fromMemorySegment(S, in, b0 + co[j] * VB, LE);
            a0 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo)), a0);
            a1 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 4)), a1);
            a2 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 8)), a2);
            a3 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 12)), a3);
            a4 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 16)), a4);
            a5 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 20)), a5);
            a6 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 24)), a6);
            a7 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 28)), a7);
        }
        a0.intoMemorySegment(out, ob, LE);
        a1.intoMemorySegment(out, ob + VB, LE);
        a2.intoMemorySegment(out, ob + 2 * VB, LE);
        a3.intoMemorySegment(out, ob + 3 * VB, LE);
        a4.intoMemorySegment(out, ob + 4 * VB, LE);
        a5.intoMemorySegment(out, ob + 5 * VB, LE);
        a6.intoMemorySegment(out, ob + 6 * VB, LE);
        a7.intoMemorySegment(out, ob + 7 * VB, LE);
    }

    /** One row, one factor column: the tails. */
    private static void one(
            MemorySegment fs,
            long fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            MemorySegment out,
            long ob) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final long qBytes = (long) q * Float.BYTES;
        FloatVector a = FloatVector.zero(S);
        for (int j = 0; j < c; j++, fo += qBytes) {
            a =
                    FloatVector.fromMemorySegment(S, in, b0 + co[j] * VB, LE)
                            .fma(FloatVector.broadcast(S, fs.get(F32, fo)), a);
        }
        a.intoMemorySegment(out, ob, LE);
    }

    /**
     * Two rows times eight factor columns. Not the 3 x 8 block of before (24 accumulators, 15-20%
     * faster per stage when it compiles well): its body, 35 segment accesses each expanded by C2
     * into bounds, session and thread checks, passed C2's inlining node cutoff in JVMs whose shared
     * access code had seen a confined arena's segments (most applications), after which one factor
     * read per step became a call and the step ran 4x slower (docs/PERFORMANCE.md). This block has
     * 26 accesses. On {@link C1Directive}'s list.
     */
    private static void block2x8(
            MemorySegment fs,
            long fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            long b1,
            MemorySegment out,
            long ob) {
        fs = offHeap(fs);
        in = offHeap(in);
        out = offHeap(out);
        final long qBytes = (long) q * Float.BYTES;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        FloatVector b0v = z, b1v = z, b2v = z, b3v = z, b4v = z, b5v = z, b6v = z, b7v = z;
        for (int j = 0; j < c; j++, fo += qBytes) {
            long o = co[j] * VB;
            FloatVector x = FloatVector.fromMemorySegment(S, in, b0 + o, LE);
            FloatVector y = FloatVector.fromMemorySegment(S, in, b1 + o, LE);
            FloatVector f = FloatVector.broadcast(S, fs.get(F32, fo));
            a0 = x.fma(f, a0);
            b0v = y.fma(f, b0v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 4));
            a1 = x.fma(f, a1);
            b1v = y.fma(f, b1v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 8));
            a2 = x.fma(f, a2);
            b2v = y.fma(f, b2v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 12));
            a3 = x.fma(f, a3);
            b3v = y.fma(f, b3v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 16));
            a4 = x.fma(f, a4);
            b4v = y.fma(f, b4v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 20));
            a5 = x.fma(f, a5);
            b5v = y.fma(f, b5v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 24));
            a6 = x.fma(f, a6);
            b6v = y.fma(f, b6v);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 28));
            a7 = x.fma(f, a7);
            b7v = y.fma(f, b7v);
        }
        final long rowBytes = (long) q * VB;
        a0.intoMemorySegment(out, ob, LE);
        a1.intoMemorySegment(out, ob + VB, LE);
        a2.intoMemorySegment(out, ob + 2 * VB, LE);
        a3.intoMemorySegment(out, ob + 3 * VB, LE);
        a4.intoMemorySegment(out, ob + 4 * VB, LE);
        a5.intoMemorySegment(out, ob + 5 * VB, LE);
        a6.intoMemorySegment(out, ob + 6 * VB, LE);
        a7.intoMemorySegment(out, ob + 7 * VB, LE);
        ob += rowBytes;
        b0v.intoMemorySegment(out, ob, LE);
        b1v.intoMemorySegment(out, ob + VB, LE);
        b2v.intoMemorySegment(out, ob + 2 * VB, LE);
        b3v.intoMemorySegment(out, ob + 3 * VB, LE);
        b4v.intoMemorySegment(out, ob + 4 * VB, LE);
        b5v.intoMemorySegment(out, ob + 5 * VB, LE);
        b6v.intoMemorySegment(out, ob + 6 * VB, LE);
        b7v.intoMemorySegment(out, ob + 7 * VB, LE);
    }
}
