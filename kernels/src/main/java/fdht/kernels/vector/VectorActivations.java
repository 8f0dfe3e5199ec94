package fdht.kernels.vector;

import static fdht.kernels.vector.VectorConstants.L;
import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.S;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise kernels: sigmoid, tanh, add, the non-finite scan, and the LSTM cell's gate
 * arithmetic.
 *
 * <p>Both activations are {@link #squash}: {@code y = a / (1 + exp(s x)) + c}, sigmoid with {@code
 * (s, a, c) = (-1, 1, 0)} and tanh as {@code 2 sigmoid(2x) - 1}. The exponential ({@link #exp}) is
 * written out from plain lane-wise arithmetic (Cephes' expf: round {@code x log2 e} with the
 * 1.5*2^23 trick, two-part {@code ln 2} reduction, degree-6 polynomial, exponent bits built as
 * integers), for two measured reasons: the Vector API's {@code EXP} and {@code TANH} fell back to
 * per-lane Java with heap allocation here, and a vector passed to or returned from a method C2 does
 * not inline is boxed on the heap. The two vector helpers are small, private and called from hot
 * loops only, so C2 inlines them, as long as a compiled method holds few of their call sites (each
 * inlined exponential costs thousands of parse nodes; see {@link #lstmPointwise}); {@code
 * StepAllocationTest} sees the boxes otherwise. No vector is chosen by a branch.
 *
 * <p>The step's kernels ({@link #lstmPointwise}, {@link #firstNonFinite}) loop over whole vectors
 * only, with trip counts fixed by the shape and no exit or mask in the loop; what is left after the
 * last whole vector is done once, after the loop. They replace seven calls of varying length with
 * masked loops, which deoptimised with {@code profile_predicate} traps right after their first C2
 * compile (docs/PERFORMANCE.md).
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

    /** {@code exp(x)}, {@code x} clamped to [-87, 88] first; NaN stays NaN. */
    private static FloatVector exp(FloatVector x) {
        FloatVector rounder = FloatVector.broadcast(S, ROUNDER);
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), rounder);
        FloatVector kf = t.sub(rounder);
        FloatVector r =
                kf.fma(
                        FloatVector.broadcast(S, -LN2_LO),
                        kf.fma(FloatVector.broadcast(S, -LN2_HI), x));
        FloatVector p =
                r.fma(1.9875691500E-4f, 1.3981999507E-3f)
                        .fma(r, FloatVector.broadcast(S, 8.3334519073E-3f))
                        .fma(r, FloatVector.broadcast(S, 4.1665795894E-2f))
                        .fma(r, FloatVector.broadcast(S, 1.6666665459E-1f))
                        .fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector bits =
                ((IntVector) t.reinterpretAsInts())
                        .sub(ROUNDER_BITS)
                        .add(127)
                        .lanewise(VectorOperators.LSHL, 23);
        return p.mul((FloatVector) bits.reinterpretAsFloats());
    }

    /**
     * {@code a / (1 + exp(s x)) + c}: sigmoid with {@code (s, a, c) = (-1, 1, 0)}, tanh with {@code
     * (-2, 2, -1)}.
     */
    private static FloatVector squash(FloatVector x, float s, float a, float c) {
        return FloatVector.broadcast(S, a).div(exp(x.mul(s)).add(1f)).add(c);
    }

    static void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        in = offHeap(in);
        out = offHeap(out);
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            squash(
                            FloatVector.fromMemorySegment(S, in, (inOff + k) * Float.BYTES, LE, m),
                            -1f,
                            1f,
                            0f)
                    .intoMemorySegment(out, (outOff + k) * Float.BYTES, LE, m);
        }
    }

    static void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        in = offHeap(in);
        out = offHeap(out);
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            squash(
                            FloatVector.fromMemorySegment(S, in, (inOff + k) * Float.BYTES, LE, m),
                            -2f,
                            2f,
                            -1f)
                    .intoMemorySegment(out, (outOff + k) * Float.BYTES, LE, m);
        }
    }

    /**
     * {@code x - x} is 0 for every finite {@code x} and NaN for NaN and the infinities: the loop
     * ORs "some lane of {@code x - x} is not 0" over whole vectors, with no exit, and only when it
     * found one does the scalar twin find its index. The flag is a boolean, not a vector: a vector
     * carried from one iteration to the next has the static type {@code FloatVector}, and C2 then
     * inlines its operations only with a receiver-type profile, which a method kept off C1 may lack
     * (measured: boxed for good, 12 KB per call).
     */
    static int firstNonFinite(MemorySegment s, long off, int n) {
        s = offHeap(s);
        int whole = n - n % L;
        long at = off * Float.BYTES;
        boolean bad = false;
        for (int k = 0; k < whole; k += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, s, at + (long) k * Float.BYTES, LE);
            bad |= v.sub(v).compare(VectorOperators.NE, 0f).anyTrue();
        }
        if (whole < n) { // masked-off lanes load as 0, and 0 - 0 = 0
            VectorMask<Float> m = S.indexInRange(whole, n);
            FloatVector v =
                    FloatVector.fromMemorySegment(S, s, at + (long) whole * Float.BYTES, LE, m);
            bad |= v.sub(v).compare(VectorOperators.NE, 0f).anyTrue();
        }
        return bad ? ScalarKernels.INSTANCE.firstNonFinite(s, off, n) : -1;
    }

    static void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        x = offHeap(x);
        y = offHeap(y);
        for (int k = 0; k < n; k += L) {
            VectorMask<Float> m = S.indexInRange(k, n);
            long yb = (yOff + k) * Float.BYTES;
            FloatVector.fromMemorySegment(S, y, yb, LE, m)
                    .add(FloatVector.fromMemorySegment(S, x, (xOff + k) * Float.BYTES, LE, m))
                    .intoMemorySegment(y, yb, LE, m);
        }
    }

    /**
     * The cell, per batch row: {@link #gates}, then {@link #cell}, each one loop over {@code H / L}
     * whole vectors, then the last {@code H % L} units, if any, by the scalar twin's formula; the
     * activated gates stay in {@code z}, as the interface promises (training's backward reads
     * them). Two kernels, not one fused loop: with the five exponentials of a fused loop inlined,
     * C2's parse passes its node cutoff (NodeCountInliningCutoff, 18,000) at the third and leaves
     * the rest as calls that box every vector. Each kernel holds one exponential and is compiled on
     * its own (its C2 code is larger than InlineSmallCode, so callers do not inline it).
     */
    static void lstmPointwise(
            MemorySegment z,
            long zOff,
            MemorySegment bias,
            MemorySegment c,
            MemorySegment h,
            int hidden,
            int batch) {
        z = offHeap(z);
        bias = offHeap(bias);
        c = offHeap(c);
        h = offHeap(h);
        int whole = hidden - hidden % L;
        for (int b = 0; b < batch; b++) {
            long zr = zOff + 4L * b * hidden, sr = (long) b * hidden;
            if (whole > 0) {
                gates(z, zr, bias, hidden, whole);
                cell(z, zr, c, h, sr, hidden, whole);
            }
            if (whole < hidden) ScalarKernels.lstmUnits(z, zr, bias, c, h, sr, hidden, whole);
        }
    }

    /**
     * Units {@code u < whole} of the four gates of one row at {@code z[zr]}, in place: {@code z +=
     * bias}, then tanh for g and sigmoid for i, f, o. Four loops of {@code whole / L} vectors.
     */
    private static void gates(MemorySegment z, long zr, MemorySegment bias, int hidden, int whole) {
        z = offHeap(z);
        bias = offHeap(bias);
        long zb = zr * Float.BYTES, hb = (long) hidden * Float.BYTES;
        for (int gate = 0; gate < 4; gate++) {
            boolean g = gate == 2;
            float s = g ? -2f : -1f, a = g ? 2f : 1f, shift = g ? -1f : 0f;
            for (int u = 0; u < whole; u += L) {
                long o = gate * hb + (long) u * Float.BYTES;
                FloatVector x =
                        FloatVector.fromMemorySegment(S, z, zb + o, LE)
                                .add(FloatVector.fromMemorySegment(S, bias, o, LE));
                squash(x, s, a, shift).intoMemorySegment(z, zb + o, LE);
            }
        }
    }

    /**
     * Units {@code u < whole} of one row from its activated gates at {@code z[zr]}: {@code c = f*c
     * + i*g}, {@code h = o*tanh(c)}, state at {@code c[sr]}, {@code h[sr]}. Two loops of {@code
     * whole / L} vectors, the exponential in the second only: one loop doing both passed C2's parse
     * node cutoff in about one JVM in four (measured on the H = 36 allocation test's model: its
     * vector operations left as calls that box, 384 bytes per step for good).
     */
    private static void cell(
            MemorySegment z,
            long zr,
            MemorySegment c,
            MemorySegment h,
            long sr,
            int hidden,
            int whole) {
        z = offHeap(z);
        c = offHeap(c);
        h = offHeap(h);
        long zb = zr * Float.BYTES, hb = (long) hidden * Float.BYTES, sb = sr * Float.BYTES;
        cellState(z, zb, hb, c, sb, whole);
        hiddenState(z, zb + 3 * hb, c, h, sb, whole);
    }

    /**
     * {@code c = f*c + i*g} over {@code whole} units; gates at byte {@code zb}, {@code hb} apart.
     */
    private static void cellState(
            MemorySegment z, long zb, long hb, MemorySegment c, long sb, int whole) {
        z = offHeap(z);
        c = offHeap(c);
        for (int u = 0; u < whole; u += L) {
            long o = (long) u * Float.BYTES;
            FloatVector ig = FloatVector.fromMemorySegment(S, z, zb + o, LE);
            FloatVector fg = FloatVector.fromMemorySegment(S, z, zb + hb + o, LE);
            FloatVector gg = FloatVector.fromMemorySegment(S, z, zb + 2 * hb + o, LE);
            fg.fma(FloatVector.fromMemorySegment(S, c, sb + o, LE), ig.mul(gg))
                    .intoMemorySegment(c, sb + o, LE);
        }
    }

    /** {@code h = o*tanh(c)} over {@code whole} units; the o gate at byte {@code ob}. */
    private static void hiddenState(
            MemorySegment z, long ob, MemorySegment c, MemorySegment h, long sb, int whole) {
        z = offHeap(z);
        c = offHeap(c);
        h = offHeap(h);
        for (int u = 0; u < whole; u += L) {
            long o = (long) u * Float.BYTES;
            FloatVector.fromMemorySegment(S, z, ob + o, LE)
                    .mul(squash(FloatVector.fromMemorySegment(S, c, sb + o, LE), -2f, 2f, -1f))
                    .intoMemorySegment(h, sb + o, LE);
        }
    }
}
