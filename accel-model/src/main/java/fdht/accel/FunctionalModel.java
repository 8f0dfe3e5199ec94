package fdht.accel;

import fdht.kernels.FixedPoint;
import fdht.layout.CompiledPlan;
import fdht.layout.banks.BankMapping;
import fdht.layout.banks.BankedLayout;
import fdht.layout.banks.Boundary;
import java.util.List;

/**
 * The accelerator's functional mode: a frame computed the way the hardware moves data. Every
 * intermediate lives in a banked memory ({@code banks x wordsPerBank} words) at the addresses
 * the layout gives; each stage's PE array reads its operands in the stage's read order (row by
 * row, contracted axes innermost) from those addresses, multiplies them by the fixed-point
 * weights, accumulates exactly, rescales with saturation, and writes its outputs in its own
 * order to the next buffer's addresses. It equals {@link FixedPoint#run} bit for bit, which
 * checks the layout (a bijection the reader inverts) and the dataflow end to end. The result
 * differs from the float plan by the quantisation error {@link #errorBound} documents.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class FunctionalModel {
    private FunctionalModel() {}

    public static long[] run(AcceleratorConfig cfg, CompiledPlan plan, long[][] factors, long[] x) {
        FixedPoint fp = new FixedPoint(cfg.bits(), cfg.fractionBits());
        BankedLayout layout = cfg.layout().banked(plan.plan(), cfg.banks());
        List<Boundary> boundaries = layout.boundaries();
        // the input loader writes the frame in its own order
        long[][] memory = store(x, layout.mappings().getFirst());
        for (int s = 0; s < plan.stageCount(); s++) {
            CompiledPlan.Step st = plan.step(s);
            int[] readerOrder = boundaries.get(s).readerOrder();
            BankMapping in = layout.mappings().get(s);
            int c = st.c(), q = st.q();
            long[] out = new long[st.p() * q];
            long[] row = new long[c];
            for (int r = 0; r < st.p(); r++) {
                // operands of row r, in read order: positions r*C .. r*C + C - 1
                for (int j = 0; j < c; j++) {
                    int w = readerOrder[r * c + j];
                    row[j] = memory[in.bank(w)][(int) in.offset(w)];
                }
                for (int k = 0; k < q; k++) {
                    long acc = 0;
                    for (int j = 0; j < c; j++) acc += row[j] * factors[s][j * q + k];
                    out[r * q + k] = fp.rescale(acc);
                }
            }
            memory = store(out, layout.mappings().get(s + 1));
        }
        // the result writer reads the last buffer in y's order
        Boundary last = boundaries.getLast();
        BankMapping m = layout.mappings().getLast();
        int[] order = last.readerOrder();
        long[] y = new long[order.length];
        for (int r = 0; r < y.length; r++) y[r] = memory[m.bank(order[r])][(int) m.offset(order[r])];
        return y;
    }

    private static long[][] store(long[] values, BankMapping m) {
        long[][] banks = new long[m.banks()][(int) m.wordsPerBank()];
        for (int w = 0; w < values.length; w++) banks[m.bank(w)][(int) m.offset(w)] = values[w];
        return banks;
    }

    /**
     * Per-output bound on {@code |y_fixed - y_float|}, absent saturation: the input is off by at
     * most half a step, every weight by half a step, every stage adds half a step of rounding;
     * propagated with the absolute factors: {@code e' = |F| e + (step/2) sum_c |in| + step/2}.
     */
    public static double[] errorBound(CompiledPlan plan, float[] absInputs, double step) {
        double[] e = new double[absInputs.length];
        double[] mag = new double[absInputs.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = step / 2;
            mag[i] = absInputs[i];
        }
        for (int s = 0; s < plan.stageCount(); s++) {
            CompiledPlan.Step st = plan.step(s);
            int p = st.p(), c = st.c(), q = st.q();
            double[] e2 = new double[p * q], m2 = new double[p * q];
            for (int r = 0; r < p; r++) {
                for (int k = 0; k < q; k++) {
                    double err = step / 2, m = 0;
                    for (int j = 0; j < c; j++) {
                        int at = st.rowBase()[r] + st.contractedOffset()[j];
                        double f = Math.abs(fdht.layout.Weights.get(plan.factors(), st.factorOffset() + (long) j * q + k)) + step / 2;
                        err += f * e[at] + (step / 2) * mag[at];
                        m += f * (mag[at] + e[at]);
                    }
                    e2[r * q + k] = err;
                    m2[r * q + k] = m;
                }
            }
            e = e2;
            mag = m2;
        }
        if (plan.lastStageWritesResult()) return e;
        double[] y = new double[(int) plan.resultSize()];
        for (int i = 0; i < y.length; i++) y[i] = e[plan.resultSourceAt(i)];
        return y;
    }
}
