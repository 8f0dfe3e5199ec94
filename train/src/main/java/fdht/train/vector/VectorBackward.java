package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.train.plan.BackwardKernels;
import fdht.train.plan.StageView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twin of {@link fdht.train.plan.ScalarBackward}, vectorised along the axis that is
 * contiguous in memory, as the forward stage kernel is:
 *
 * <ul>
 *   <li>{@code stageFactor}: along {@code Q} (a row of {@code dOut} and of {@code dF}), input
 *       elements broadcast, four contracted indices per block sharing each {@code dOut} load;
 *   <li>{@code stageInput}: a dot product along {@code Q} per {@code (p, c)}, the {@code dOut} row
 *       loaded once with zeros past {@code Q} so F's next row never leaks in, four rows per block
 *       sharing each F load; the sums are scattered through the address tables;
 *   <li>{@code denseInput} and {@code denseWeights}: along the columns (axpy over rows of {@code
 *       W}).
 * </ul>
 *
 * Loads past the end of a row rely on the buffers' slack ({@code Weights.SLACK_FLOATS}).
 *
 * <p>Thread safety: stateless and thread-safe; allocates nothing once compiled.
 */
public final class VectorBackward implements BackwardKernels {
    public static final VectorBackward INSTANCE = new VectorBackward();
    private static final VectorSpecies<Float> S = BackwardSpecies.SPECIES;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorBackward() {}

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    public void stageFactor(
            StageView st,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dF) {
        in = offHeap(in);
        dOut = offHeap(dOut);
        dF = offHeap(dF);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = st.rowBase(), co = st.contractedOffset();
        final long qBytes = (long) q * Float.BYTES;
        for (int k = 0; k < q; k += L) {
            final VectorMask<Float> m = S.indexInRange(k, q);
            final long kBytes = (long) k * Float.BYTES;
            int j = 0;
            for (; j + 4 <= c; j += 4) {
                long o0 = co[j], o1 = co[j + 1], o2 = co[j + 2], o3 = co[j + 3];
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                long db = dOutOff * Float.BYTES + kBytes;
                for (int r = 0; r < p; r++, db += qBytes) {
                    FloatVector d = FloatVector.fromMemorySegment(S, dOut, db, LE);
                    long b = inOff + rb[r];
                    a0 = d.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b + o0)), a0);
                    a1 = d.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b + o1)), a1);
                    a2 = d.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b + o2)), a2);
                    a3 = d.fma(FloatVector.broadcast(S, in.getAtIndex(F32, b + o3)), a3);
                }
                long fb = (st.factorOffset() + (long) j * q) * Float.BYTES + kBytes;
                addInto(dF, fb, a0, m);
                addInto(dF, fb + qBytes, a1, m);
                addInto(dF, fb + 2 * qBytes, a2, m);
                addInto(dF, fb + 3 * qBytes, a3, m);
            }
            for (; j < c; j++) {
                long o0 = co[j];
                FloatVector a0 = FloatVector.zero(S);
                long db = dOutOff * Float.BYTES + kBytes;
                for (int r = 0; r < p; r++, db += qBytes) {
                    a0 =
                            FloatVector.fromMemorySegment(S, dOut, db, LE)
                                    .fma(
                                            FloatVector.broadcast(
                                                    S, in.getAtIndex(F32, inOff + rb[r] + o0)),
                                            a0);
                }
                addInto(dF, (st.factorOffset() + (long) j * q) * Float.BYTES + kBytes, a0, m);
            }
        }
    }

    private static void addInto(MemorySegment s, long bytes, FloatVector v, VectorMask<Float> m) {
        s = offHeap(s);
        FloatVector.fromMemorySegment(S, s, bytes, LE, m).add(v).intoMemorySegment(s, bytes, LE, m);
    }

    @Override
    public void stageInput(
            StageView st,
            MemorySegment fs,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        final int p = st.p(), c = st.c(), q = st.q();
        if (q <= L) {
            stageInputNarrow(st, fs, dOut, dOutOff, dIn, dInOff);
            return;
        }
        final int[] rb = st.rowBase(), co = st.contractedOffset();
        final long fBytes = st.factorOffset() * Float.BYTES, qBytes = (long) q * Float.BYTES;
        for (int r = 0; r < p; r++) {
            long db = (dOutOff + (long) r * q) * Float.BYTES;
            long base = dInOff + rb[r];
            for (int j = 0; j < c; j++) {
                FloatVector acc = FloatVector.zero(S);
                long fo = fBytes + j * qBytes;
                for (int k = 0; k < q; k += L) {
                    VectorMask<Float> m = S.indexInRange(k, q);
                    FloatVector d =
                            FloatVector.fromMemorySegment(
                                    S, dOut, db + (long) k * Float.BYTES, LE, m);
                    acc =
                            d.fma(
                                    FloatVector.fromMemorySegment(
                                            S, fs, fo + (long) k * Float.BYTES, LE),
                                    acc);
                }
                dIn.setAtIndex(F32, base + co[j], acc.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    /** Q <= L: one masked dOut vector per row, four rows per block sharing each F row load. */
    private static void stageInputNarrow(
            StageView st,
            MemorySegment fs,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff) {
        fs = offHeap(fs);
        dOut = offHeap(dOut);
        dIn = offHeap(dIn);
        final int p = st.p(), c = st.c(), q = st.q();
        final int[] rb = st.rowBase(), co = st.contractedOffset();
        final long fBytes = st.factorOffset() * Float.BYTES, qBytes = (long) q * Float.BYTES;
        final VectorMask<Float> m = S.indexInRange(0, q);
        int r = 0;
        for (; r + 4 <= p; r += 4) {
            long db = (dOutOff + (long) r * q) * Float.BYTES;
            FloatVector d0 = FloatVector.fromMemorySegment(S, dOut, db, LE, m);
            FloatVector d1 = FloatVector.fromMemorySegment(S, dOut, db + qBytes, LE, m);
            FloatVector d2 = FloatVector.fromMemorySegment(S, dOut, db + 2 * qBytes, LE, m);
            FloatVector d3 = FloatVector.fromMemorySegment(S, dOut, db + 3 * qBytes, LE, m);
            long b0 = dInOff + rb[r],
                    b1 = dInOff + rb[r + 1],
                    b2 = dInOff + rb[r + 2],
                    b3 = dInOff + rb[r + 3];
            long fo = fBytes;
            for (int j = 0; j < c; j++, fo += qBytes) {
                FloatVector f = FloatVector.fromMemorySegment(S, fs, fo, LE);
                long o = co[j];
                dIn.setAtIndex(F32, b0 + o, d0.mul(f).reduceLanes(VectorOperators.ADD));
                dIn.setAtIndex(F32, b1 + o, d1.mul(f).reduceLanes(VectorOperators.ADD));
                dIn.setAtIndex(F32, b2 + o, d2.mul(f).reduceLanes(VectorOperators.ADD));
                dIn.setAtIndex(F32, b3 + o, d3.mul(f).reduceLanes(VectorOperators.ADD));
            }
        }
        for (; r < p; r++) {
            FloatVector d0 =
                    FloatVector.fromMemorySegment(
                            S, dOut, (dOutOff + (long) r * q) * Float.BYTES, LE, m);
            long b0 = dInOff + rb[r];
            long fo = fBytes;
            for (int j = 0; j < c; j++, fo += qBytes) {
                dIn.setAtIndex(
                        F32,
                        b0 + co[j],
                        d0.mul(FloatVector.fromMemorySegment(S, fs, fo, LE))
                                .reduceLanes(VectorOperators.ADD));
            }
        }
    }

    @Override
    public void stageInputLanes(
            StageView st,
            MemorySegment factors,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff,
            int lanes,
            int chunks) {
        VectorLaneBackward.requireLanes(lanes, chunks);
        VectorLaneBackward.input(st, factors, dOut, dOutOff, dIn, dInOff, chunks);
    }

    @Override
    public void stageFactorLanes(
            StageView st,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dFactors,
            int lanes,
            int chunks) {
        VectorLaneBackward.requireLanes(lanes, chunks);
        VectorLaneBackward.factor(st, in, inOff, dOut, dOutOff, dFactors, chunks);
    }

    @Override
    public void denseInput(
            MemorySegment w,
            int rows,
            int ld,
            int wCol,
            int cols,
            MemorySegment dy,
            long dyOff,
            MemorySegment dx,
            long dxOff,
            long dxStride,
            int batch) {
        w = offHeap(w);
        dy = offHeap(dy);
        dx = offHeap(dx);
        for (int b = 0; b < batch; b++) {
            long xb = (dxOff + b * dxStride) * Float.BYTES;
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector acc0 = FloatVector.zero(S), acc1 = acc0;
                long wb = ((long) wCol + j) * Float.BYTES, ldBytes = (long) ld * Float.BYTES;
                long yb = dyOff + (long) b * rows;
                int i = 0;
                // two accumulators: the sum over rows is a dependency chain
                for (; i + 2 <= rows; i += 2, wb += 2 * ldBytes) {
                    acc0 =
                            FloatVector.fromMemorySegment(S, w, wb, LE, m)
                                    .fma(
                                            FloatVector.broadcast(S, dy.getAtIndex(F32, yb + i)),
                                            acc0);
                    acc1 =
                            FloatVector.fromMemorySegment(S, w, wb + ldBytes, LE, m)
                                    .fma(
                                            FloatVector.broadcast(
                                                    S, dy.getAtIndex(F32, yb + i + 1)),
                                            acc1);
                }
                if (i < rows)
                    acc0 =
                            FloatVector.fromMemorySegment(S, w, wb, LE, m)
                                    .fma(
                                            FloatVector.broadcast(S, dy.getAtIndex(F32, yb + i)),
                                            acc0);
                acc0.add(acc1).intoMemorySegment(dx, xb + (long) j * Float.BYTES, LE, m);
            }
        }
    }

    @Override
    public void denseWeights(
            MemorySegment dw,
            int rows,
            int ld,
            int wCol,
            int cols,
            MemorySegment dy,
            long dyOff,
            MemorySegment x,
            long xOff,
            long xStride,
            int batch) {
        dw = offHeap(dw);
        dy = offHeap(dy);
        x = offHeap(x);
        for (int i = 0; i < rows; i++) {
            long wb = ((long) i * ld + wCol) * Float.BYTES;
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                long jb = (long) j * Float.BYTES;
                FloatVector acc = FloatVector.fromMemorySegment(S, dw, wb + jb, LE, m);
                for (int b = 0; b < batch; b++) {
                    acc =
                            FloatVector.fromMemorySegment(
                                            S, x, (xOff + b * xStride) * Float.BYTES + jb, LE, m)
                                    .fma(
                                            FloatVector.broadcast(
                                                    S,
                                                    dy.getAtIndex(
                                                            F32, dyOff + (long) b * rows + i)),
                                            acc);
                }
                acc.intoMemorySegment(dw, wb + jb, LE, m);
            }
        }
    }
}
