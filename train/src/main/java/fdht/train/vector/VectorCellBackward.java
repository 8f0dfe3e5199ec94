package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.offHeap;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM cell's backward ({@code fdht.train.plan.BackwardKernels#lstmCellBackward}) along the
 * units of a batch row: per vector of units four gate loads, three state loads, five stores and
 * about twenty multiplies; then the bias gradient along the {@code 4H} gate rows, summed over the
 * batch in batch order. Masked loops (the kernel is a few percent of a training step). No
 * exponential: {@code tanh(c_t)} comes in from the forward kernel's {@code tanh}. Each product is
 * evaluated in the scalar twin's order without fused multiply-adds, so lane-wise the two round
 * alike.
 *
 * <p>Thread safety: stateless and thread-safe; allocates nothing once compiled.
 */
final class VectorCellBackward {
    private static final VectorSpecies<Float> S = BackwardSpecies.SPECIES;
    private static final int L = S.length();

    private VectorCellBackward() {}

    static void backward(
            MemorySegment gates,
            MemorySegment tanhC,
            MemorySegment cPrev,
            MemorySegment dh,
            MemorySegment dc,
            MemorySegment dz,
            MemorySegment dBias,
            int hidden,
            int batch) {
        gates = offHeap(gates);
        tanhC = offHeap(tanhC);
        cPrev = offHeap(cPrev);
        dh = offHeap(dh);
        dc = offHeap(dc);
        dz = offHeap(dz);
        dBias = offHeap(dBias);
        long hb = (long) hidden * Float.BYTES;
        for (int b = 0; b < batch; b++) {
            long zb = 4 * b * hb, sb = b * hb;
            for (int u = 0; u < hidden; u += L) {
                VectorMask<Float> m = S.indexInRange(u, hidden);
                long zo = zb + (long) u * Float.BYTES, so = sb + (long) u * Float.BYTES;
                FloatVector one = FloatVector.broadcast(S, 1f); // made here: hoisted by C2
                FloatVector ig = FloatVector.fromMemorySegment(S, gates, zo, LE, m);
                FloatVector fg = FloatVector.fromMemorySegment(S, gates, zo + hb, LE, m);
                FloatVector gg = FloatVector.fromMemorySegment(S, gates, zo + 2 * hb, LE, m);
                FloatVector og = FloatVector.fromMemorySegment(S, gates, zo + 3 * hb, LE, m);
                FloatVector tc = FloatVector.fromMemorySegment(S, tanhC, so, LE, m);
                FloatVector dhv = FloatVector.fromMemorySegment(S, dh, so, LE, m);
                FloatVector dcv =
                        FloatVector.fromMemorySegment(S, dc, so, LE, m)
                                .add(dhv.mul(og).mul(one.sub(tc.mul(tc))));
                dcv.mul(gg).mul(ig).mul(one.sub(ig)).intoMemorySegment(dz, zo, LE, m);
                dcv.mul(FloatVector.fromMemorySegment(S, cPrev, so, LE, m))
                        .mul(fg)
                        .mul(one.sub(fg))
                        .intoMemorySegment(dz, zo + hb, LE, m);
                dcv.mul(ig).mul(one.sub(gg.mul(gg))).intoMemorySegment(dz, zo + 2 * hb, LE, m);
                dhv.mul(tc).mul(og).mul(one.sub(og)).intoMemorySegment(dz, zo + 3 * hb, LE, m);
                dcv.mul(fg).intoMemorySegment(dc, so, LE, m);
            }
        }
        int rows = 4 * hidden;
        for (int e = 0; e < rows; e += L) {
            VectorMask<Float> m = S.indexInRange(e, rows);
            long o = (long) e * Float.BYTES;
            FloatVector sum = FloatVector.fromMemorySegment(S, dBias, o, LE, m);
            for (int b = 0; b < batch; b++)
                sum = sum.add(FloatVector.fromMemorySegment(S, dz, 4 * b * hb + o, LE, m));
            sum.intoMemorySegment(dBias, o, LE, m);
        }
    }
}
