package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.layout.CompiledPlan;
import fdht.train.plan.AdamUpdate;
import fdht.train.plan.BackwardKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twin of {@link fdht.train.plan.ScalarBackward}: the stage kernels along the lanes
 * of the lane layout (the batch), register-blocked ({@link VectorLaneBackward}); {@code denseInput}
 * along the columns (axpy over rows of {@code W}), masked tails; {@code denseWeights} blocked over
 * column chunks and register tiles of 4 rows ({@link VectorDenseWeights}); the LSTM cell's along
 * the units ({@link VectorCellBackward}); Adam's update in double vectors ({@link VectorAdam}).
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
    public void stageInputLanes(
            CompiledPlan.Step st,
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
            CompiledPlan.Step st,
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
            int batch,
            MemorySegment scratch) {
        BackwardKernels.requireScratch(scratch, rows, batch);
        VectorDenseWeights.accumulate(
                dw, rows, ld, wCol, cols, dy, dyOff, x, xOff, xStride, batch, scratch);
    }

    @Override
    public void adam(
            AdamUpdate u,
            MemorySegment w,
            MemorySegment g,
            MemorySegment m,
            MemorySegment v,
            int from,
            int to) {
        VectorAdam.update(u, w, g, m, v, from, to);
    }

    @Override
    public void lstmCellBackward(
            MemorySegment gates,
            MemorySegment tanhC,
            MemorySegment cPrev,
            MemorySegment dh,
            MemorySegment dc,
            MemorySegment dz,
            MemorySegment dBias,
            int hidden,
            int batch) {
        VectorCellBackward.backward(gates, tanhC, cPrev, dh, dc, dz, dBias, hidden, batch);
    }
}
