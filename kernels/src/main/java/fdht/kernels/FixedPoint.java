package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.PlanWalker;
import fdht.layout.StageOperation;
import fdht.layout.Weights;
import java.util.EnumMap;

/**
 * The quantised twin of {@link PlanExecutor}: a plan executed in signed fixed point, {@code
 * bits}-wide words with {@code fraction} fractional bits (Q8.8 by default, the accelerator model's
 * datapath). Weights and inputs are rounded to the nearest step and saturated; every stage
 * accumulates exactly in 64 bits, then rounds half up and saturates back to a word: saturation,
 * never wrap-around. Scalar and obviously correct; the accelerator's functional mode must equal it
 * bit for bit.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public final class FixedPoint {
    private final int bits;
    private final int fraction;
    private final long max;
    private final long min;

    public FixedPoint(int bits, int fraction) {
        if (bits < 2 || bits > 32)
            throw new IllegalArgumentException("word of " + bits + " bits must be 2..32 bits");
        if (fraction < 0 || fraction >= bits)
            throw new IllegalArgumentException(
                    "fraction bits " + fraction + " must be 0.." + (bits - 1));
        this.bits = bits;
        this.fraction = fraction;
        this.max = (1L << (bits - 1)) - 1;
        this.min = -(1L << (bits - 1));
    }

    public int bits() {
        return bits;
    }

    public int fraction() {
        return fraction;
    }

    /** One step of the format, {@code 2^-fraction}. */
    public double step() {
        return Math.scalb(1.0, -fraction);
    }

    public long saturate(long v) {
        return Math.max(min, Math.min(max, v));
    }

    /** The nearest representable word, saturated; NaN is rejected. */
    public long quantize(float v) {
        if (Float.isNaN(v)) throw new IllegalArgumentException("cannot quantise NaN");
        double scaled = Math.scalb((double) v, fraction);
        if (scaled >= max) return max;
        if (scaled <= min) return min;
        return saturate(Math.round(scaled));
    }

    public float dequantize(long word) {
        return (float) Math.scalb((double) word, -fraction);
    }

    /** A product-sum of two words, back to a word: round half up at the fraction, then saturate. */
    public long rescale(long accumulator) {
        return saturate(
                fraction == 0 ? accumulator : (accumulator + (1L << (fraction - 1))) >> fraction);
    }

    /** Every stage's factor, quantised: {@code [stage][c*Q + k]}. */
    public long[][] quantizeFactors(CompiledPlan plan) {
        long[][] f = new long[plan.stageCount()][];
        for (int s = 0; s < f.length; s++) {
            CompiledPlan.Step st = plan.step(s);
            f[s] = new long[st.c() * st.q()];
            for (int e = 0; e < f[s].length; e++)
                f[s][e] = quantize(Weights.get(plan.factors(), st.factorOffset() + e));
        }
        return f;
    }

    /** {@code y = W x} in fixed point: {@code x} already quantised, {@code y} in result order. */
    public long[] run(CompiledPlan plan, long[][] factors, long[] x) {
        EnumMap<PlanBuffer, long[]> buffers = new EnumMap<>(PlanBuffer.class);
        buffers.put(PlanBuffer.INPUT, x);
        PlanWalker.forward(
                plan,
                new StageOperation() {
                    @Override
                    public void stage(CompiledPlan.Step st, PlanBuffer from, PlanBuffer to) {
                        long[] in = buffers.get(from);
                        long[] f = factors[st.stage().index()];
                        int p = st.p(), c = st.c(), q = st.q();
                        long[] out = new long[p * q];
                        for (int r = 0; r < p; r++) {
                            int base = st.rowBase(r);
                            for (int k = 0; k < q; k++) {
                                long acc = 0;
                                for (int j = 0; j < c; j++)
                                    acc += in[base + st.contractedOffset(j)] * f[j * q + k];
                                out[r * q + k] = rescale(acc);
                            }
                        }
                        buffers.put(to, out);
                    }

                    @Override
                    public void gather(PlanBuffer from) {
                        long[] in = buffers.get(from);
                        long[] y = new long[(int) plan.resultSize()];
                        for (int e = 0; e < y.length; e++) y[e] = in[plan.resultSourceAt(e)];
                        buffers.put(PlanBuffer.RESULT, y);
                    }
                });
        return buffers.get(PlanBuffer.RESULT);
    }
}
