package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise kernels: sigmoid, tanh, add and the LSTM cell's gate arithmetic, masked tails.
 *
 * <p>Both activations are one loop, {@link #squash}: {@code y = a / (1 + exp(s x)) + c}, sigmoid
 * with {@code (s, a, c) = (-1, 1, 0)} and tanh as {@code 2 sigmoid(2x) - 1}. The exponential is
 * written out inside that loop from plain lane-wise arithmetic (Cephes' expf: round {@code x log2
 * e} with the 1.5*2^23 trick, two-part {@code ln 2} reduction, degree-6 polynomial, exponent bits
 * built as integers), for two measured reasons: the Vector API's {@code EXP} and {@code TANH} fell
 * back to per-lane Java with heap allocation here, and any vector passed to or returned from a
 * method C2 does not inline is boxed on the heap, so no vector crosses a method boundary of ours.
 * Likewise no vector is chosen by a branch.
 *
 * <p>Documented maximum error against the double evaluation of {@code ScalarKernels}, checked by
 * {@code ActivationKernelTest} over a dense sweep of [-20, 20]: 2e-7 absolute for sigmoid and 4e-7
 * absolute for tanh (tanh's relative error grows near 0, where {@code 2 sigmoid(2x) - 1} cancels);
 * both saturate exactly at +-inf and pass NaN on.
 */
final class VectorActivations {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // keep 2^k a normal float: exp saturates at about 1.7e38 and 1.6e-38
    private static final float EXP_HI = 88.0f;
    private static final float EXP_LO = -87.0f;

    private VectorActivations() {}

    /** {@code out = a / (1 + exp(s * in)) + c} over {@code n} floats. */
    static void squash(
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff,
            int n,
            float s,
            float a,
            float c) {
        FloatVector vs = FloatVector.broadcast(S, s),
                va = FloatVector.broadcast(S, a),
                vc = FloatVector.broadcast(S, c);
        FloatVector one = FloatVector.broadcast(S, 1f),
                log2e = FloatVector.broadcast(S, LOG2E),
                rounder = FloatVector.broadcast(S, ROUNDER);
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI),
                ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector p6 = FloatVector.broadcast(S, 1.9875691500E-4f),
                p5 = FloatVector.broadcast(S, 1.3981999507E-3f);
        FloatVector p4 = FloatVector.broadcast(S, 8.3334519073E-3f),
                p3 = FloatVector.broadcast(S, 4.1665795894E-2f);
        FloatVector p2 = FloatVector.broadcast(S, 1.6666665459E-1f),
                p1 = FloatVector.broadcast(S, 5.0000001201E-1f);
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            FloatVector x =
                    FloatVector.fromMemorySegment(S, in, (inOff + k) * Float.BYTES, LE, m)
                            .mul(vs)
                            .max(EXP_LO)
                            .min(EXP_HI);
            FloatVector t = x.fma(log2e, rounder);
            FloatVector kf = t.sub(rounder);
            FloatVector r = kf.fma(ln2lo, kf.fma(ln2hi, x));
            FloatVector p = r.fma(p6, p5).fma(r, p4).fma(r, p3).fma(r, p2).fma(r, p1);
            p = p.fma(r.mul(r), r).add(one);
            IntVector bits =
                    ((IntVector) t.reinterpretAsInts())
                            .sub(ROUNDER_BITS)
                            .add(127)
                            .lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul((FloatVector) bits.reinterpretAsFloats());
            va.div(e.add(one)).add(vc).intoMemorySegment(out, (outOff + k) * Float.BYTES, LE, m);
        }
    }

    static void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        squash(in, inOff, out, outOff, n, -1f, 1f, 0f);
    }

    static void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        squash(in, inOff, out, outOff, n, -2f, 2f, -1f);
    }

    /**
     * x - x is 0 for every finite x and NaN for NaN and the infinities: one subtract and compare
     * per lane.
     */
    static int firstNonFinite(MemorySegment s, long off, int n) {
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            FloatVector v = FloatVector.fromMemorySegment(S, s, (off + k) * Float.BYTES, LE, m);
            VectorMask<Float> bad = v.sub(v).compare(VectorOperators.NE, 0f).and(m);
            if (bad.anyTrue()) return k + bad.firstTrue();
        }
        return -1;
    }

    static void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            long yb = (yOff + k) * Float.BYTES;
            FloatVector.fromMemorySegment(S, y, yb, LE, m)
                    .add(FloatVector.fromMemorySegment(S, x, (xOff + k) * Float.BYTES, LE, m))
                    .intoMemorySegment(y, yb, LE, m);
        }
    }

    static void lstmPointwise(
            MemorySegment z,
            long zOff,
            MemorySegment bias,
            MemorySegment c,
            MemorySegment h,
            int hidden,
            int batch) {
        for (int b = 0; b < batch; b++) {
            long zr = zOff + (long) b * 4 * hidden;
            long sr = (long) b * hidden;
            add(bias, 0, z, zr, 4 * hidden);
            sigmoid(z, zr, z, zr, 2 * hidden); // i, f
            tanh(z, zr + 2L * hidden, z, zr + 2L * hidden, hidden); // g
            sigmoid(z, zr + 3L * hidden, z, zr + 3L * hidden, hidden); // o
            cellState(z, zr, c, h, sr, hidden); // c = f*c + i*g, h = c
            tanh(h, sr, h, sr, hidden);
            multiply(z, zr + 3L * hidden, h, sr, hidden); // h = o * tanh(c)
        }
    }

    /** {@code c = f*c + i*g} from the activated gates, and a copy of it in {@code h}. */
    private static void cellState(
            MemorySegment z, long zr, MemorySegment c, MemorySegment h, long sAt, int hidden) {
        long hb = (long) hidden * Float.BYTES;
        long zb = zr * Float.BYTES;
        for (int u = 0; u < hidden; u += L) {
            VectorMask<Float> m = S.indexInRange(u, hidden);
            long o = (long) u * Float.BYTES;
            long so = sAt * Float.BYTES + o;
            FloatVector ig = FloatVector.fromMemorySegment(S, z, zb + o, LE, m);
            FloatVector fg = FloatVector.fromMemorySegment(S, z, zb + hb + o, LE, m);
            FloatVector gg = FloatVector.fromMemorySegment(S, z, zb + 2 * hb + o, LE, m);
            FloatVector cNew = fg.fma(FloatVector.fromMemorySegment(S, c, so, LE, m), ig.mul(gg));
            cNew.intoMemorySegment(c, so, LE, m);
            cNew.intoMemorySegment(h, so, LE, m);
        }
    }

    /** {@code y *= x} over {@code n} floats. */
    private static void multiply(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            long yb = (yOff + k) * Float.BYTES;
            FloatVector.fromMemorySegment(S, y, yb, LE, m)
                    .mul(FloatVector.fromMemorySegment(S, x, (xOff + k) * Float.BYTES, LE, m))
                    .intoMemorySegment(y, yb, LE, m);
        }
    }
}
