package fdht.kernels.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense {@code y[b] (+)= W x[b]}: the dense baselines and the head. At small batch the weights
 * stream from memory once per call (236 MB for the LSTM-UCF layer), so each weight vector loaded
 * feeds up to four batch rows; at batch 1 four accumulators hide the FMA latency. Masked tail.
 */
final class VectorDense {
    private static final VectorSpecies<Float> S = FloatSpecies.SPECIES;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    private VectorDense() {}

    static void gemm(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int batch, boolean accumulate) {
        int b = 0;
        for (; b + 4 <= batch; b += 4) {
            for (int i = 0; i < rows; i++) {
                long wr = (wOff + (long) i * cols) * Float.BYTES;
                long x0 = (xOff + (long) b * cols) * Float.BYTES, x1 = x0 + (long) cols * Float.BYTES;
                long x2 = x1 + (long) cols * Float.BYTES, x3 = x2 + (long) cols * Float.BYTES;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int j = 0;
                for (; j + L <= cols; j += L) {
                    long o = (long) j * Float.BYTES;
                    FloatVector wv = FloatVector.fromMemorySegment(S, w, wr + o, LE);
                    a0 = wv.fma(FloatVector.fromMemorySegment(S, x, x0 + o, LE), a0);
                    a1 = wv.fma(FloatVector.fromMemorySegment(S, x, x1 + o, LE), a1);
                    a2 = wv.fma(FloatVector.fromMemorySegment(S, x, x2 + o, LE), a2);
                    a3 = wv.fma(FloatVector.fromMemorySegment(S, x, x3 + o, LE), a3);
                }
                if (j < cols) {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    long o = (long) j * Float.BYTES;
                    FloatVector wv = FloatVector.fromMemorySegment(S, w, wr + o, LE, m);
                    a0 = wv.fma(FloatVector.fromMemorySegment(S, x, x0 + o, LE, m), a0);
                    a1 = wv.fma(FloatVector.fromMemorySegment(S, x, x1 + o, LE, m), a1);
                    a2 = wv.fma(FloatVector.fromMemorySegment(S, x, x2 + o, LE, m), a2);
                    a3 = wv.fma(FloatVector.fromMemorySegment(S, x, x3 + o, LE, m), a3);
                }
                store(y, yOff + (long) b * rows + i, a0.reduceLanes(VectorOperators.ADD), accumulate);
                store(y, yOff + (long) (b + 1) * rows + i, a1.reduceLanes(VectorOperators.ADD), accumulate);
                store(y, yOff + (long) (b + 2) * rows + i, a2.reduceLanes(VectorOperators.ADD), accumulate);
                store(y, yOff + (long) (b + 3) * rows + i, a3.reduceLanes(VectorOperators.ADD), accumulate);
            }
        }
        for (; b < batch; b++) {
            long xr = (xOff + (long) b * cols) * Float.BYTES;
            for (int i = 0; i < rows; i++) {
                long wr = (wOff + (long) i * cols) * Float.BYTES;
                store(y, yOff + (long) b * rows + i, dot(w, wr, x, xr, cols), accumulate);
            }
        }
    }

    /** One dot product with four accumulators (batch 1: latency, not bandwidth, would bind a single chain). */
    private static float dot(MemorySegment w, long wr, MemorySegment x, long xr, int cols) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        long lb = (long) L * Float.BYTES;
        for (; j + 4 * L <= cols; j += 4 * L) {
            long o = (long) j * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(S, w, wr + o, LE).fma(FloatVector.fromMemorySegment(S, x, xr + o, LE), a0);
            a1 = FloatVector.fromMemorySegment(S, w, wr + o + lb, LE).fma(FloatVector.fromMemorySegment(S, x, xr + o + lb, LE), a1);
            a2 = FloatVector.fromMemorySegment(S, w, wr + o + 2 * lb, LE).fma(FloatVector.fromMemorySegment(S, x, xr + o + 2 * lb, LE), a2);
            a3 = FloatVector.fromMemorySegment(S, w, wr + o + 3 * lb, LE).fma(FloatVector.fromMemorySegment(S, x, xr + o + 3 * lb, LE), a3);
        }
        for (; j + L <= cols; j += L) {
            long o = (long) j * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(S, w, wr + o, LE).fma(FloatVector.fromMemorySegment(S, x, xr + o, LE), a0);
        }
        if (j < cols) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            long o = (long) j * Float.BYTES;
            a1 = FloatVector.fromMemorySegment(S, w, wr + o, LE, m).fma(FloatVector.fromMemorySegment(S, x, xr + o, LE, m), a1);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static void store(MemorySegment y, long at, float v, boolean accumulate) {
        y.setAtIndex(F32, at, accumulate ? y.getAtIndex(F32, at) + v : v);
    }
}
