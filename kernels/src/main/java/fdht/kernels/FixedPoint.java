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
        return quantize((double) v);
    }

    /**
     * The nearest representable word to {@code v} (a half step rounds up, as {@link Math#round}),
     * saturated; NaN is rejected.
     */
    public long quantize(double v) {
        if (Double.isNaN(v)) throw new IllegalArgumentException("cannot quantise NaN");
        double scaled = Math.scalb(v, fraction);
        if (scaled >= max) return max;
        if (scaled <= min) return min;
        return saturate(Math.round(scaled));
    }

    /** Every float of {@code values} quantised, as 32-bit words (a word is at most 32 bits). */
    public int[] quantizeAll(float[] values) {
        int[] w = new int[values.length];
        for (int e = 0; e < w.length; e++) w[e] = (int) quantize(values[e]);
        return w;
    }

    public float dequantize(long word) {
        return (float) Math.scalb((double) word, -fraction);
    }

    /** A product-sum of two words, back to a word: round half up at the fraction, then saturate. */
    public long rescale(long accumulator) {
        return saturate(
                fraction == 0 ? accumulator : (accumulator + (1L << (fraction - 1))) >> fraction);
    }

    /**
     * A dense stage {@code y = W x}: {@code W} is {@code rows x x.length} words row-major; every
     * output is accumulated exactly and rescaled once, as a plan stage's (the accelerator's dense
     * {@code W_h} stage, or a dense LSTM's whole projection).
     */
    public long[] dense(int[] w, int rows, long[] x) {
        int cols = x.length;
        if ((long) rows * cols != w.length)
            throw new IllegalArgumentException(
                    w.length + " weights are not " + rows + " rows of " + cols + " columns");
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            long acc = 0;
            int base = i * cols;
            for (int j = 0; j < cols; j++) acc += w[base + j] * x[j];
            y[i] = rescale(acc);
        }
        return y;
    }

    /**
     * The format in words: {@code Q8.8 (16-bit two's complement, 8 fraction bits: step 2^-8, range
     * [-128, 127.99609375])}; the integer part's bits count the sign.
     */
    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "Q%d.%d (%d-bit two's complement, %d fraction bits: step 2^-%d, range [%s, %s])",
                bits - fraction,
                fraction,
                bits,
                fraction,
                fraction,
                new java.math.BigDecimal(Math.scalb((double) min, -fraction)).toPlainString(),
                new java.math.BigDecimal(Math.scalb((double) max, -fraction)).toPlainString());
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
