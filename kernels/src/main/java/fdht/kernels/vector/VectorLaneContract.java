package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.layout.CompiledPlan;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The stage GEMM over the lane layout ({@code fdht.kernels.Kernels#contractLanes}): a vector runs
 * along the batch, so {@code out[p][k]} of {@code L} batch rows is one vector and every FMA takes
 * one contiguous vector load of inputs and a factor entry broadcast once into a register: the
 * register-blocked GEMM micro-kernel of DESIGN.md section 3, three rows times eight factor columns
 * (24 accumulators, 11 loads per 24 FMAs: FMA-bound, where the row-folded kernel {@link
 * VectorContract} needs one load and one broadcast per FMA). The stage's permuted view is the
 * batch-1 plan's address tables, scaled by {@code L}: whole vectors move, never lanes.
 *
 * <p>The factor entries, the broadcast operands, are read from a heap copy of the packed factors
 * ({@code PlanTables.factorArray(CompiledPlan)}), the activations from native segments narrowed by
 * {@link VectorConstants#offHeap}. Why an array: C2 expands every segment access into bounds,
 * session and owner-thread checks; with eight factor reads per contracted index the 3 x 8 block had
 * 35 accesses and, in JVMs whose shared access code had seen confined arenas (most applications),
 * passed C2's inlining node cutoff, after which one factor read became a call and the step ran 4x
 * slower. An array read is a few nodes, its bounds check hoisted; the block keeps 27 segment
 * accesses (docs/PERFORMANCE.md, "Kernels that compile the same in every JVM").
 */
final class VectorLaneContract {
    private static final long VB = (long) L * Float.BYTES; // bytes of one lane-layout element

    private VectorLaneContract() {}

    static void contract(
            CompiledPlan.Step st,
            float[] fs,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff,
            int chunks) {

        in = offHeap(in);

        out = offHeap(out);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = PlanTables.rowBaseTable(st);
        final int[] co = PlanTables.contractedOffsetTable(st);
        final int f0 = Math.toIntExact(st.factorOffset());
        final long inChunk = st.inputSize() * VB, outChunk = (long) p * q * VB;
        for (int k = 0; k < chunks; k++) {
            final long ib = inOff * Float.BYTES + k * inChunk,
                    ob = outOff * Float.BYTES + k * outChunk;
            int r = 0;
            for (; r + 3 <= p; r += 3) {
                int qq = 0;
                for (; qq + 8 <= q; qq += 8) {
                    block3x8(
                            fs,
                            f0 + qq,
                            c,
                            q,
                            co,
                            in,
                            ib + rb[r] * VB,
                            ib + rb[r + 1] * VB,
                            ib + rb[r + 2] * VB,
                            out,
                            ob + ((long) r * q + qq) * VB);
                }
                for (; qq < q; qq++) {
                    for (int i = 0; i < 3; i++)
                        one(
                                fs,
                                f0 + qq,
                                c,
                                q,
                                co,
                                in,
                                ib + rb[r + i] * VB,
                                out,
                                ob + ((long) (r + i) * q + qq) * VB);
                }
            }
            // one or two rows left: eight columns at a time still, each factor entry loaded once
            for (; r < p; r++) {
                int qq = 0;
                for (; qq + 8 <= q; qq += 8)
                    block1x8(
                            fs,
                            f0 + qq,
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
                            f0 + qq,
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
     * One row times eight factor columns: the rows {@link #block3x8} leaves over. Eight independent
     * FMA chains, so it is not bound by the FMA latency as eight calls of {@link #one} are.
     */
    private static void block1x8(
            float[] fs,
            int fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            MemorySegment out,
            long ob) {
        in = offHeap(in);
        out = offHeap(out);
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int j = 0; j < c; j++, fo += q) {
            FloatVector x = FloatVector.fromMemorySegment(S, in, b0 + co[j] * VB, LE);
            a0 = x.fma(FloatVector.broadcast(S, fs[fo]), a0);
            a1 = x.fma(FloatVector.broadcast(S, fs[fo + 1]), a1);
            a2 = x.fma(FloatVector.broadcast(S, fs[fo + 2]), a2);
            a3 = x.fma(FloatVector.broadcast(S, fs[fo + 3]), a3);
            a4 = x.fma(FloatVector.broadcast(S, fs[fo + 4]), a4);
            a5 = x.fma(FloatVector.broadcast(S, fs[fo + 5]), a5);
            a6 = x.fma(FloatVector.broadcast(S, fs[fo + 6]), a6);
            a7 = x.fma(FloatVector.broadcast(S, fs[fo + 7]), a7);
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
            float[] fs,
            int fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            MemorySegment out,
            long ob) {
        in = offHeap(in);
        out = offHeap(out);
        FloatVector a = FloatVector.zero(S);
        for (int j = 0; j < c; j++, fo += q) {
            a =
                    FloatVector.fromMemorySegment(S, in, b0 + co[j] * VB, LE)
                            .fma(FloatVector.broadcast(S, fs[fo]), a);
        }
        a.intoMemorySegment(out, ob, LE);
    }

    /**
     * Three rows times eight factor columns. On {@link C1Directive}'s list: C1's tier-3 (OSR)
     * compile of it can fail ("out of virtual registers", seen at 256 bits in a JMH fork), after
     * which its tier-2 code, boxing every vector, ran for good (45 ms instead of 0.2 ms per call).
     */
    private static void block3x8(
            float[] fs,
            int fo,
            int c,
            int q,
            int[] co,
            MemorySegment in,
            long b0,
            long b1,
            long b2,
            MemorySegment out,
            long ob) {
        in = offHeap(in);
        out = offHeap(out);
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        FloatVector b0v = z, b1v = z, b2v = z, b3v = z, b4v = z, b5v = z, b6v = z, b7v = z;
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        for (int j = 0; j < c; j++, fo += q) {
            long o = co[j] * VB;
            FloatVector x = FloatVector.fromMemorySegment(S, in, b0 + o, LE);
            FloatVector y = FloatVector.fromMemorySegment(S, in, b1 + o, LE);
            FloatVector w = FloatVector.fromMemorySegment(S, in, b2 + o, LE);
            FloatVector f = FloatVector.broadcast(S, fs[fo]);
            a0 = x.fma(f, a0);
            b0v = y.fma(f, b0v);
            c0 = w.fma(f, c0);
            f = FloatVector.broadcast(S, fs[fo + 1]);
            a1 = x.fma(f, a1);
            b1v = y.fma(f, b1v);
            c1 = w.fma(f, c1);
            f = FloatVector.broadcast(S, fs[fo + 2]);
            a2 = x.fma(f, a2);
            b2v = y.fma(f, b2v);
            c2 = w.fma(f, c2);
            f = FloatVector.broadcast(S, fs[fo + 3]);
            a3 = x.fma(f, a3);
            b3v = y.fma(f, b3v);
            c3 = w.fma(f, c3);
            f = FloatVector.broadcast(S, fs[fo + 4]);
            a4 = x.fma(f, a4);
            b4v = y.fma(f, b4v);
            c4 = w.fma(f, c4);
            f = FloatVector.broadcast(S, fs[fo + 5]);
            a5 = x.fma(f, a5);
            b5v = y.fma(f, b5v);
            c5 = w.fma(f, c5);
            f = FloatVector.broadcast(S, fs[fo + 6]);
            a6 = x.fma(f, a6);
            b6v = y.fma(f, b6v);
            c6 = w.fma(f, c6);
            f = FloatVector.broadcast(S, fs[fo + 7]);
            a7 = x.fma(f, a7);
            b7v = y.fma(f, b7v);
            c7 = w.fma(f, c7);
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
        ob += rowBytes;
        c0.intoMemorySegment(out, ob, LE);
        c1.intoMemorySegment(out, ob + VB, LE);
        c2.intoMemorySegment(out, ob + 2 * VB, LE);
        c3.intoMemorySegment(out, ob + 3 * VB, LE);
        c4.intoMemorySegment(out, ob + 4 * VB, LE);
        c5.intoMemorySegment(out, ob + 5 * VB, LE);
        c6.intoMemorySegment(out, ob + 6 * VB, LE);
        c7.intoMemorySegment(out, ob + 7 * VB, LE);
    }
}
