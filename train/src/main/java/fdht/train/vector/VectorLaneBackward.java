package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.F32;
import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.ROT_1;
import static fdht.kernels.vector.VectorConstants.ROT_2;
import static fdht.kernels.vector.VectorConstants.ROT_4;
import static fdht.kernels.vector.VectorConstants.ROT_8;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.layout.CompiledPlan;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The two GEMMs of a stage's backward over the lane layout (the batch as the vector lanes, {@code
 * fdht.train.plan.BackwardKernels#stageInputLanes}), in the register-blocked shape of the forward
 * lane micro-kernel ({@code fdht.kernels.vector.VectorLaneContract}): one contiguous vector load
 * per batch-lane operand, factor entries broadcast once into a register, whole vectors addressed
 * through the batch-1 plan's tables scaled by {@code L} (the step's own tables, {@code
 * PlanTables.rowBaseTable(step)}: shared by every thread, only read here).
 *
 * <ul>
 *   <li>input gradient: 4 rows x 4 contracted indices of accumulators (8 loads per 16 FMAs), each
 *       sum over {@code Q} written once, table-addressed;
 *   <li>factor gradient: 2 contracted indices x 4 factor columns of accumulators (6 loads per 8
 *       FMAs) summed over rows and chunks, reduced across the lanes once at the end, in the fixed
 *       halving tree of {@code VectorConstants.ROT_8..ROT_1}: {@code reduceLanes(ADD)} summed in
 *       another order in the interpreter than in C2, so two runs of one training command ended with
 *       weights up to 1.8e-7 apart ({@code BackwardDeterminismTest}).
 * </ul>
 *
 * Each blocked method has at most 24 segment accesses in its body: C2 expands each access into
 * bounds, session and thread checks, and a body of 35 once passed its inlining node cutoff (4x
 * slower, {@code VectorLaneContract.block2x8}). Every method narrows its segments with {@code
 * offHeap} first.
 *
 * <p>Thread safety: stateless and thread-safe; allocates nothing once compiled.
 */
final class VectorLaneBackward {
    private static final long VB = (long) L * Float.BYTES; // bytes of one lane-layout element

    private VectorLaneBackward() {}

    static void requireLanes(int lanes, int chunks) {
        if (lanes != L || chunks < 0)
            throw new IllegalArgumentException(
                    "the vector backward kernels take "
                            + L
                            + " lanes, got "
                            + lanes
                            + " lanes x "
                            + chunks
                            + " chunks");
    }

    static void input(
            CompiledPlan.Step st,
            MemorySegment fs,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff,
            int chunks) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = PlanTables.rowBaseTable(st), co = PlanTables.contractedOffsetTable(st);
        final long fBytes = st.factorOffset() * Float.BYTES, qBytes = (long) q * Float.BYTES;
        final long inChunk = st.inputSize() * VB, outChunk = (long) p * q * VB;
        final long rowBytes = (long) q * VB;
        for (int k = 0; k < chunks; k++) {
            final long ib = dInOff * Float.BYTES + k * inChunk,
                    ob = dOutOff * Float.BYTES + k * outChunk;
            int r = 0;
            for (; r + 4 <= p; r += 4) {
                int j = 0;
                for (; j + 4 <= c; j += 4)
                    input4x4(
                            fs,
                            fBytes + j * qBytes,
                            q,
                            dOut,
                            ob + r * rowBytes,
                            dIn,
                            ib,
                            rb,
                            r,
                            co,
                            j);
                for (; j < c; j++)
                    for (int i = 0; i < 4; i++)
                        inputOne(
                                fs,
                                fBytes + j * qBytes,
                                q,
                                dOut,
                                ob + (r + i) * rowBytes,
                                dIn,
                                ib + ((long) rb[r + i] + co[j]) * VB);
            }
            for (; r < p; r++) {
                int j = 0;
                for (; j + 4 <= c; j += 4)
                    input1x4(
                            fs,
                            fBytes + j * qBytes,
                            q,
                            dOut,
                            ob + r * rowBytes,
                            dIn,
                            ib + rb[r] * VB,
                            co,
                            j);
                for (; j < c; j++)
                    inputOne(
                            fs,
                            fBytes + j * qBytes,
                            q,
                            dOut,
                            ob + r * rowBytes,
                            dIn,
                            ib + ((long) rb[r] + co[j]) * VB);
            }
        }
    }

    /**
     * Rows {@code r..r+3} times contracted indices {@code j..j+3}: 16 accumulators, per {@code q}
     * four dOut vectors and four broadcast factor entries (24 accesses). {@code fo}: bytes of
     * {@code F[j*Q]}; {@code d0}: bytes of dOut row {@code r}; {@code ib}: the chunk's dIn base.
     */
    private static void input4x4(
            MemorySegment fs,
            long fo,
            int q,
            MemorySegment dOut,
            long d0,
            MemorySegment dIn,
            long ib,
            int[] rb,
            int r,
            int[] co,
            int j) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        final long qBytes = (long) q * Float.BYTES, rowBytes = (long) q * VB;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int kk = 0; kk < q; kk++, fo += Float.BYTES, d0 += VB) {
            FloatVector x0 = FloatVector.fromMemorySegment(S, dOut, d0, LE);
            FloatVector x1 = FloatVector.fromMemorySegment(S, dOut, d0 + rowBytes, LE);
            FloatVector x2 = FloatVector.fromMemorySegment(S, dOut, d0 + 2 * rowBytes, LE);
            FloatVector x3 = FloatVector.fromMemorySegment(S, dOut, d0 + 3 * rowBytes, LE);
            FloatVector f = FloatVector.broadcast(S, fs.get(F32, fo));
            a00 = x0.fma(f, a00);
            a10 = x1.fma(f, a10);
            a20 = x2.fma(f, a20);
            a30 = x3.fma(f, a30);
            f = FloatVector.broadcast(S, fs.get(F32, fo + qBytes));
            a01 = x0.fma(f, a01);
            a11 = x1.fma(f, a11);
            a21 = x2.fma(f, a21);
            a31 = x3.fma(f, a31);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 2 * qBytes));
            a02 = x0.fma(f, a02);
            a12 = x1.fma(f, a12);
            a22 = x2.fma(f, a22);
            a32 = x3.fma(f, a32);
            f = FloatVector.broadcast(S, fs.get(F32, fo + 3 * qBytes));
            a03 = x0.fma(f, a03);
            a13 = x1.fma(f, a13);
            a23 = x2.fma(f, a23);
            a33 = x3.fma(f, a33);
        }
        final long c0 = co[j] * VB, c1 = co[j + 1] * VB, c2 = co[j + 2] * VB, c3 = co[j + 3] * VB;
        long b = ib + rb[r] * VB;
        a00.intoMemorySegment(dIn, b + c0, LE);
        a01.intoMemorySegment(dIn, b + c1, LE);
        a02.intoMemorySegment(dIn, b + c2, LE);
        a03.intoMemorySegment(dIn, b + c3, LE);
        b = ib + rb[r + 1] * VB;
        a10.intoMemorySegment(dIn, b + c0, LE);
        a11.intoMemorySegment(dIn, b + c1, LE);
        a12.intoMemorySegment(dIn, b + c2, LE);
        a13.intoMemorySegment(dIn, b + c3, LE);
        b = ib + rb[r + 2] * VB;
        a20.intoMemorySegment(dIn, b + c0, LE);
        a21.intoMemorySegment(dIn, b + c1, LE);
        a22.intoMemorySegment(dIn, b + c2, LE);
        a23.intoMemorySegment(dIn, b + c3, LE);
        b = ib + rb[r + 3] * VB;
        a30.intoMemorySegment(dIn, b + c0, LE);
        a31.intoMemorySegment(dIn, b + c1, LE);
        a32.intoMemorySegment(dIn, b + c2, LE);
        a33.intoMemorySegment(dIn, b + c3, LE);
    }

    /** The rows {@link #input4x4} leaves over: one row times four contracted indices. */
    private static void input1x4(
            MemorySegment fs,
            long fo,
            int q,
            MemorySegment dOut,
            long d0,
            MemorySegment dIn,
            long b,
            int[] co,
            int j) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        final long qBytes = (long) q * Float.BYTES;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int kk = 0; kk < q; kk++, fo += Float.BYTES, d0 += VB) {
            FloatVector x = FloatVector.fromMemorySegment(S, dOut, d0, LE);
            a0 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo)), a0);
            a1 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + qBytes)), a1);
            a2 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 2 * qBytes)), a2);
            a3 = x.fma(FloatVector.broadcast(S, fs.get(F32, fo + 3 * qBytes)), a3);
        }
        a0.intoMemorySegment(dIn, b + co[j] * VB, LE);
        a1.intoMemorySegment(dIn, b + co[j + 1] * VB, LE);
        a2.intoMemorySegment(dIn, b + co[j + 2] * VB, LE);
        a3.intoMemorySegment(dIn, b + co[j + 3] * VB, LE);
    }

    /** One row, one contracted index: the tails. {@code at}: bytes of the dIn vector. */
    private static void inputOne(
            MemorySegment fs,
            long fo,
            int q,
            MemorySegment dOut,
            long d0,
            MemorySegment dIn,
            long at) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        FloatVector a = FloatVector.zero(S);
        for (int kk = 0; kk < q; kk++, fo += Float.BYTES, d0 += VB)
            a =
                    FloatVector.fromMemorySegment(S, dOut, d0, LE)
                            .fma(FloatVector.broadcast(S, fs.get(F32, fo)), a);
        a.intoMemorySegment(dIn, at, LE);
    }

    static void factor(
            CompiledPlan.Step st,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dF,
            int chunks) {
        in = offHeap(in);
        dOut = offHeap(dOut);
        dF = offHeap(dF);
        final int c = st.c(), q = st.q();
        final int[] co = PlanTables.contractedOffsetTable(st);
        final long fBytes = st.factorOffset() * Float.BYTES, qBytes = (long) q * Float.BYTES;
        final long inBase = inOff * Float.BYTES, outBase = dOutOff * Float.BYTES;
        int j = 0;
        for (; j + 2 <= c; j += 2) {
            int kk = 0;
            for (; kk + 4 <= q; kk += 4)
                factor2x4(
                        st,
                        in,
                        inBase + co[j] * VB,
                        inBase + co[j + 1] * VB,
                        dOut,
                        outBase + kk * VB,
                        dF,
                        fBytes + j * qBytes + kk * Float.BYTES,
                        chunks);
            for (; kk < q; kk++)
                for (int i = 0; i < 2; i++)
                    factorOne(
                            st,
                            in,
                            inBase + co[j + i] * VB,
                            dOut,
                            outBase + kk * VB,
                            dF,
                            fBytes + (j + i) * qBytes + kk * Float.BYTES,
                            chunks);
        }
        for (; j < c; j++) {
            int kk = 0;
            for (; kk + 4 <= q; kk += 4)
                factor1x4(
                        st,
                        in,
                        inBase + co[j] * VB,
                        dOut,
                        outBase + kk * VB,
                        dF,
                        fBytes + j * qBytes + kk * Float.BYTES,
                        chunks);
            for (; kk < q; kk++)
                factorOne(
                        st,
                        in,
                        inBase + co[j] * VB,
                        dOut,
                        outBase + kk * VB,
                        dF,
                        fBytes + j * qBytes + kk * Float.BYTES,
                        chunks);
        }
    }

    /**
     * Contracted indices {@code j, j+1} times factor columns {@code kk..kk+3}, summed over every
     * row of every chunk: 8 accumulators, per row two input vectors and four dOut vectors, then one
     * reduction across the lanes each (22 accesses). {@code i0, i1}: bytes of the two indices'
     * input element in row 0 of chunk 0 (without the row base); {@code d0}: bytes of dOut column
     * {@code kk} in row 0 of chunk 0; {@code at}: bytes of {@code dF[j*Q + kk]}.
     */
    private static void factor2x4(
            CompiledPlan.Step st,
            MemorySegment in,
            long i0,
            long i1,
            MemorySegment dOut,
            long d0,
            MemorySegment dF,
            long at,
            int chunks) {
        in = offHeap(in);
        dOut = offHeap(dOut);
        dF = offHeap(dF);
        final int p = st.p();
        final int[] rb = PlanTables.rowBaseTable(st);
        final long inChunk = st.inputSize() * VB, outChunk = (long) st.p() * st.q() * VB;
        final long rowBytes = (long) st.q() * VB, qBytes = (long) st.q() * Float.BYTES;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        for (int k = 0; k < chunks; k++, i0 += inChunk, i1 += inChunk, d0 += outChunk) {
            long d = d0;
            for (int r = 0; r < p; r++, d += rowBytes) {
                long base = rb[r] * VB;
                FloatVector x = FloatVector.fromMemorySegment(S, in, i0 + base, LE);
                FloatVector y = FloatVector.fromMemorySegment(S, in, i1 + base, LE);
                FloatVector g = FloatVector.fromMemorySegment(S, dOut, d, LE);
                a0 = x.fma(g, a0);
                b0 = y.fma(g, b0);
                g = FloatVector.fromMemorySegment(S, dOut, d + VB, LE);
                a1 = x.fma(g, a1);
                b1 = y.fma(g, b1);
                g = FloatVector.fromMemorySegment(S, dOut, d + 2 * VB, LE);
                a2 = x.fma(g, a2);
                b2 = y.fma(g, b2);
                g = FloatVector.fromMemorySegment(S, dOut, d + 3 * VB, LE);
                a3 = x.fma(g, a3);
                b3 = y.fma(g, b3);
            }
        }
        // lanes summed in the fixed halving tree, not reduceLanes: see the class comment
        FloatVector a08 = L >= 16 ? a0.add(a0.rearrange(ROT_8)) : a0,
                a04 = L >= 8 ? a08.add(a08.rearrange(ROT_4)) : a08,
                a02 = L >= 4 ? a04.add(a04.rearrange(ROT_2)) : a04;
        float a0s = (L >= 2 ? a02.add(a02.rearrange(ROT_1)) : a02).lane(0);
        FloatVector a18 = L >= 16 ? a1.add(a1.rearrange(ROT_8)) : a1,
                a14 = L >= 8 ? a18.add(a18.rearrange(ROT_4)) : a18,
                a12 = L >= 4 ? a14.add(a14.rearrange(ROT_2)) : a14;
        float a1s = (L >= 2 ? a12.add(a12.rearrange(ROT_1)) : a12).lane(0);
        FloatVector a28 = L >= 16 ? a2.add(a2.rearrange(ROT_8)) : a2,
                a24 = L >= 8 ? a28.add(a28.rearrange(ROT_4)) : a28,
                a22 = L >= 4 ? a24.add(a24.rearrange(ROT_2)) : a24;
        float a2s = (L >= 2 ? a22.add(a22.rearrange(ROT_1)) : a22).lane(0);
        FloatVector a38 = L >= 16 ? a3.add(a3.rearrange(ROT_8)) : a3,
                a34 = L >= 8 ? a38.add(a38.rearrange(ROT_4)) : a38,
                a32 = L >= 4 ? a34.add(a34.rearrange(ROT_2)) : a34;
        float a3s = (L >= 2 ? a32.add(a32.rearrange(ROT_1)) : a32).lane(0);
        FloatVector b08 = L >= 16 ? b0.add(b0.rearrange(ROT_8)) : b0,
                b04 = L >= 8 ? b08.add(b08.rearrange(ROT_4)) : b08,
                b02 = L >= 4 ? b04.add(b04.rearrange(ROT_2)) : b04;
        float b0s = (L >= 2 ? b02.add(b02.rearrange(ROT_1)) : b02).lane(0);
        FloatVector b18 = L >= 16 ? b1.add(b1.rearrange(ROT_8)) : b1,
                b14 = L >= 8 ? b18.add(b18.rearrange(ROT_4)) : b18,
                b12 = L >= 4 ? b14.add(b14.rearrange(ROT_2)) : b14;
        float b1s = (L >= 2 ? b12.add(b12.rearrange(ROT_1)) : b12).lane(0);
        FloatVector b28 = L >= 16 ? b2.add(b2.rearrange(ROT_8)) : b2,
                b24 = L >= 8 ? b28.add(b28.rearrange(ROT_4)) : b28,
                b22 = L >= 4 ? b24.add(b24.rearrange(ROT_2)) : b24;
        float b2s = (L >= 2 ? b22.add(b22.rearrange(ROT_1)) : b22).lane(0);
        FloatVector b38 = L >= 16 ? b3.add(b3.rearrange(ROT_8)) : b3,
                b34 = L >= 8 ? b38.add(b38.rearrange(ROT_4)) : b38,
                b32 = L >= 4 ? b34.add(b34.rearrange(ROT_2)) : b34;
        float b3s = (L >= 2 ? b32.add(b32.rearrange(ROT_1)) : b32).lane(0);
        dF.set(F32, at, dF.get(F32, at) + a0s);
        dF.set(F32, at + 4, dF.get(F32, at + 4) + a1s);
        dF.set(F32, at + 8, dF.get(F32, at + 8) + a2s);
        dF.set(F32, at + 12, dF.get(F32, at + 12) + a3s);
        at += qBytes;
        dF.set(F32, at, dF.get(F32, at) + b0s);
        dF.set(F32, at + 4, dF.get(F32, at + 4) + b1s);
        dF.set(F32, at + 8, dF.get(F32, at + 8) + b2s);
        dF.set(F32, at + 12, dF.get(F32, at + 12) + b3s);
    }

    /** The contracted index {@link #factor2x4} leaves over, times four factor columns. */
    private static void factor1x4(
            CompiledPlan.Step st,
            MemorySegment in,
            long i0,
            MemorySegment dOut,
            long d0,
            MemorySegment dF,
            long at,
            int chunks) {
        in = offHeap(in);
        dOut = offHeap(dOut);
        dF = offHeap(dF);
        final int p = st.p();
        final int[] rb = PlanTables.rowBaseTable(st);
        final long inChunk = st.inputSize() * VB, outChunk = (long) st.p() * st.q() * VB;
        final long rowBytes = (long) st.q() * VB;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int k = 0; k < chunks; k++, i0 += inChunk, d0 += outChunk) {
            long d = d0;
            for (int r = 0; r < p; r++, d += rowBytes) {
                FloatVector x = FloatVector.fromMemorySegment(S, in, i0 + rb[r] * VB, LE);
                a0 = x.fma(FloatVector.fromMemorySegment(S, dOut, d, LE), a0);
                a1 = x.fma(FloatVector.fromMemorySegment(S, dOut, d + VB, LE), a1);
                a2 = x.fma(FloatVector.fromMemorySegment(S, dOut, d + 2 * VB, LE), a2);
                a3 = x.fma(FloatVector.fromMemorySegment(S, dOut, d + 3 * VB, LE), a3);
            }
        }
        FloatVector a08 = L >= 16 ? a0.add(a0.rearrange(ROT_8)) : a0,
                a04 = L >= 8 ? a08.add(a08.rearrange(ROT_4)) : a08,
                a02 = L >= 4 ? a04.add(a04.rearrange(ROT_2)) : a04;
        float a0s = (L >= 2 ? a02.add(a02.rearrange(ROT_1)) : a02).lane(0);
        FloatVector a18 = L >= 16 ? a1.add(a1.rearrange(ROT_8)) : a1,
                a14 = L >= 8 ? a18.add(a18.rearrange(ROT_4)) : a18,
                a12 = L >= 4 ? a14.add(a14.rearrange(ROT_2)) : a14;
        float a1s = (L >= 2 ? a12.add(a12.rearrange(ROT_1)) : a12).lane(0);
        FloatVector a28 = L >= 16 ? a2.add(a2.rearrange(ROT_8)) : a2,
                a24 = L >= 8 ? a28.add(a28.rearrange(ROT_4)) : a28,
                a22 = L >= 4 ? a24.add(a24.rearrange(ROT_2)) : a24;
        float a2s = (L >= 2 ? a22.add(a22.rearrange(ROT_1)) : a22).lane(0);
        FloatVector a38 = L >= 16 ? a3.add(a3.rearrange(ROT_8)) : a3,
                a34 = L >= 8 ? a38.add(a38.rearrange(ROT_4)) : a38,
                a32 = L >= 4 ? a34.add(a34.rearrange(ROT_2)) : a34;
        float a3s = (L >= 2 ? a32.add(a32.rearrange(ROT_1)) : a32).lane(0);
        dF.set(F32, at, dF.get(F32, at) + a0s);
        dF.set(F32, at + 4, dF.get(F32, at + 4) + a1s);
        dF.set(F32, at + 8, dF.get(F32, at + 8) + a2s);
        dF.set(F32, at + 12, dF.get(F32, at + 12) + a3s);
    }

    /** One contracted index, one factor column: the tails. */
    private static void factorOne(
            CompiledPlan.Step st,
            MemorySegment in,
            long i0,
            MemorySegment dOut,
            long d0,
            MemorySegment dF,
            long at,
            int chunks) {
        in = offHeap(in);
        dOut = offHeap(dOut);
        dF = offHeap(dF);
        final int p = st.p();
        final int[] rb = PlanTables.rowBaseTable(st);
        final long inChunk = st.inputSize() * VB, outChunk = (long) st.p() * st.q() * VB;
        final long rowBytes = (long) st.q() * VB;
        FloatVector a = FloatVector.zero(S);
        for (int k = 0; k < chunks; k++, i0 += inChunk, d0 += outChunk) {
            long d = d0;
            for (int r = 0; r < p; r++, d += rowBytes)
                a =
                        FloatVector.fromMemorySegment(S, in, i0 + rb[r] * VB, LE)
                                .fma(FloatVector.fromMemorySegment(S, dOut, d, LE), a);
        }
        FloatVector a8 = L >= 16 ? a.add(a.rearrange(ROT_8)) : a,
                a4 = L >= 8 ? a8.add(a8.rearrange(ROT_4)) : a8,
                a2 = L >= 4 ? a4.add(a4.rearrange(ROT_2)) : a4;
        float sum = (L >= 2 ? a2.add(a2.rearrange(ROT_1)) : a2).lane(0);
        dF.set(F32, at, dF.get(F32, at) + sum);
    }
}
