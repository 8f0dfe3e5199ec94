package fdht.accel;

import fdht.kernels.FixedPoint;
import fdht.layout.CompiledPlan;
import fdht.layout.PlanBuffer;
import fdht.layout.PlanWalker;
import fdht.layout.StageOperation;
import fdht.layout.banks.BankMapping;
import fdht.layout.banks.BankedLayout;
import java.util.EnumMap;
import java.util.Map;

/**
 * The accelerator's functional mode: a frame computed the way the hardware moves data. Every
 * intermediate lives in a banked memory ({@code banks x wordsPerBank} words) at the addresses the
 * layout gives; each stage's PE array reads its operands in the stage's read order (row by row,
 * contracted axes innermost) from those addresses, multiplies them by the fixed-point weights,
 * accumulates exactly, rescales with saturation, and writes its outputs in its own order to the
 * next buffer's addresses. It equals {@link FixedPoint#run} bit for bit, which checks the layout (a
 * bijection the reader inverts) and the dataflow end to end. The result differs from the float plan
 * by the quantisation error {@link #errorBound} documents.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class FunctionalModel {
    private FunctionalModel() {}

    public static long[] run(AcceleratorConfig cfg, CompiledPlan plan, long[][] factors, long[] x) {
        FixedPoint fp = new FixedPoint(cfg.bits(), cfg.fractionBits());
        BankedLayout layout = cfg.layout().banked(plan.plan(), cfg.banks());
        BankedStages op = new BankedStages(fp, layout, factors);
        // the input loader writes the frame in its own order
        op.memory.put(PlanBuffer.INPUT, store(x, layout.mappings().getFirst()));
        PlanWalker.forward(plan, op);
        if (plan.lastStageWritesResult()) op.readResult(PlanBuffer.RESULT);
        return op.result;
    }

    /** The PE array's stages over banked memories, one per plan buffer. */
    private static final class BankedStages implements StageOperation {
        final Map<PlanBuffer, long[][]> memory = new EnumMap<>(PlanBuffer.class);
        private final FixedPoint fp;
        private final BankedLayout layout;
        private final long[][] factors;
        long[] result;

        BankedStages(FixedPoint fp, BankedLayout layout, long[][] factors) {
            this.fp = fp;
            this.layout = layout;
            this.factors = factors;
        }

        @Override
        public void stage(CompiledPlan.Step st, PlanBuffer from, PlanBuffer to) {
            int s = st.stage().index();
            int[] readerOrder = layout.boundaries().get(s).readerOrder();
            BankMapping in = layout.mappings().get(s);
            long[][] banks = memory.get(from);
            int c = st.c(), q = st.q();
            long[] out = new long[st.p() * q];
            long[] row = new long[c];
            for (int r = 0; r < st.p(); r++) {
                // operands of row r, in read order: positions r*C .. r*C + C - 1
                for (int j = 0; j < c; j++) {
                    int w = readerOrder[r * c + j];
                    row[j] = banks[in.bank(w)][(int) in.offset(w)];
                }
                for (int k = 0; k < q; k++) {
                    long acc = 0;
                    for (int j = 0; j < c; j++) acc += row[j] * factors[s][j * q + k];
                    out[r * q + k] = fp.rescale(acc);
                }
            }
            memory.put(to, store(out, layout.mappings().get(s + 1)));
        }

        @Override
        public void gather(PlanBuffer from) {
            readResult(from);
        }

        /** The result writer reads the last buffer in y's order. */
        void readResult(PlanBuffer from) {
            long[][] banks = memory.get(from);
            BankMapping m = layout.mappings().getLast();
            int[] order = layout.boundaries().getLast().readerOrder();
            result = new long[order.length];
            for (int r = 0; r < result.length; r++)
                result[r] = banks[m.bank(order[r])][(int) m.offset(order[r])];
        }
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
        // per buffer: {error, magnitude} of every element
        Map<PlanBuffer, double[][]> buffers = new EnumMap<>(PlanBuffer.class);
        double[] e0 = new double[absInputs.length], mag0 = new double[absInputs.length];
        for (int i = 0; i < e0.length; i++) {
            e0[i] = step / 2;
            mag0[i] = absInputs[i];
        }
        buffers.put(PlanBuffer.INPUT, new double[][] {e0, mag0});
        PlanWalker.forward(
                plan,
                new StageOperation() {
                    @Override
                    public void stage(CompiledPlan.Step st, PlanBuffer from, PlanBuffer to) {
                        double[] e = buffers.get(from)[0], mag = buffers.get(from)[1];
                        int p = st.p(), c = st.c(), q = st.q();
                        double[] e2 = new double[p * q], m2 = new double[p * q];
                        for (int r = 0; r < p; r++) {
                            for (int k = 0; k < q; k++) {
                                double err = step / 2, m = 0;
                                for (int j = 0; j < c; j++) {
                                    int at = st.rowBase(r) + st.contractedOffset(j);
                                    double f =
                                            Math.abs(
                                                            fdht.layout.Weights.get(
                                                                    plan.factors(),
                                                                    st.factorOffset()
                                                                            + (long) j * q
                                                                            + k))
                                                    + step / 2;
                                    err += f * e[at] + (step / 2) * mag[at];
                                    m += f * (mag[at] + e[at]);
                                }
                                e2[r * q + k] = err;
                                m2[r * q + k] = m;
                            }
                        }
                        buffers.put(to, new double[][] {e2, m2});
                    }

                    @Override
                    public void gather(PlanBuffer from) {
                        double[] e = buffers.get(from)[0];
                        double[] y = new double[(int) plan.resultSize()];
                        for (int i = 0; i < y.length; i++) y[i] = e[plan.resultSourceAt(i)];
                        buffers.put(PlanBuffer.RESULT, new double[][] {y, null});
                    }
                });
        return buffers.get(PlanBuffer.RESULT)[0];
    }
}
