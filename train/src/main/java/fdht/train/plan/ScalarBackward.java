package fdht.train.plan;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference backward kernels: plain loops in the order the definitions in {@link
 * BackwardKernels} read, each sum accumulated in {@code float}. Also the fallback when the Vector
 * API is absent.
 *
 * <p>Thread safety: stateless and thread-safe.
 */
public final class ScalarBackward implements BackwardKernels {
    public static final ScalarBackward INSTANCE = new ScalarBackward();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ScalarBackward() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void stageInputLanes(
            CompiledPlan.Step step,
            MemorySegment factors,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff,
            int lanes,
            int chunks) {
        requireLanes(lanes, chunks);
        int p = step.p(), c = step.c(), q = step.q();
        long f0 = step.factorOffset(), in = step.inputSize(), out = (long) p * q;
        for (int k = 0; k < chunks; k++) {
            for (int l = 0; l < lanes; l++) {
                long ib = dInOff + k * in * lanes + l, ob = dOutOff + k * out * lanes + l;
                for (int r = 0; r < p; r++) {
                    for (int j = 0; j < c; j++) {
                        float sum = 0f;
                        for (int qq = 0; qq < q; qq++)
                            sum +=
                                    dOut.getAtIndex(F, ob + ((long) r * q + qq) * lanes)
                                            * factors.getAtIndex(F, f0 + (long) j * q + qq);
                        long e = (long) step.rowBase(r) + step.contractedOffset(j);
                        dIn.setAtIndex(F, ib + e * lanes, sum);
                    }
                }
            }
        }
    }

    @Override
    public void stageFactorLanes(
            CompiledPlan.Step step,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dFactors,
            int lanes,
            int chunks) {
        requireLanes(lanes, chunks);
        int p = step.p(), c = step.c(), q = step.q();
        long f0 = step.factorOffset(), inSize = step.inputSize(), outSize = (long) p * q;
        for (int j = 0; j < c; j++) {
            for (int qq = 0; qq < q; qq++) {
                float sum = 0f;
                for (int k = 0; k < chunks; k++) {
                    long ib = inOff + k * inSize * lanes, ob = dOutOff + k * outSize * lanes;
                    for (int r = 0; r < p; r++) {
                        long e = (long) step.rowBase(r) + step.contractedOffset(j);
                        for (int l = 0; l < lanes; l++)
                            sum +=
                                    in.getAtIndex(F, ib + e * lanes + l)
                                            * dOut.getAtIndex(
                                                    F, ob + ((long) r * q + qq) * lanes + l);
                    }
                }
                long at = f0 + (long) j * q + qq;
                dFactors.setAtIndex(F, at, dFactors.getAtIndex(F, at) + sum);
            }
        }
    }

    static void requireLanes(int lanes, int chunks) {
        if (lanes < 1 || chunks < 0)
            throw new IllegalArgumentException(
                    "lane layout of " + lanes + " lanes x " + chunks + " chunks");
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
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < cols; j++) {
                float sum = 0f;
                for (int i = 0; i < rows; i++)
                    sum +=
                            w.getAtIndex(F, (long) i * ld + wCol + j)
                                    * dy.getAtIndex(F, dyOff + (long) b * rows + i);
                dx.setAtIndex(F, dxOff + b * dxStride + j, sum);
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
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float sum = 0f;
                for (int b = 0; b < batch; b++)
                    sum +=
                            dy.getAtIndex(F, dyOff + (long) b * rows + i)
                                    * x.getAtIndex(F, xOff + b * xStride + j);
                long at = (long) i * ld + wCol + j;
                dw.setAtIndex(F, at, dw.getAtIndex(F, at) + sum);
            }
        }
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
        double b1 = u.beta1(), b2 = u.beta2(), c1 = u.c1(), c2 = u.c2(), lr = u.learningRate();
        double eps = u.eps(), wd = u.weightDecay();
        float scale = u.gradScale();
        for (int e = from; e < to; e++) {
            double ge = g.getAtIndex(F, e) * scale;
            double me = b1 * m.getAtIndex(F, e) + (1 - b1) * ge;
            double ve = b2 * v.getAtIndex(F, e) + (1 - b2) * ge * ge;
            m.setAtIndex(F, e, (float) me);
            v.setAtIndex(F, e, (float) ve);
            double we = w.getAtIndex(F, e);
            w.setAtIndex(
                    F, e, (float) (we - lr * ((me / c1) / (Math.sqrt(ve / c2) + eps) + wd * we)));
        }
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
        for (int b = 0; b < batch; b++) {
            long zr = 4L * b * hidden;
            for (int u = 0; u < hidden; u++) {
                long s = (long) b * hidden + u;
                float ig = gates.getAtIndex(F, zr + u);
                float fg = gates.getAtIndex(F, zr + hidden + u);
                float gg = gates.getAtIndex(F, zr + 2L * hidden + u);
                float og = gates.getAtIndex(F, zr + 3L * hidden + u);
                float tc = tanhC.getAtIndex(F, s), dhv = dh.getAtIndex(F, s);
                float dcv = dc.getAtIndex(F, s) + dhv * og * (1 - tc * tc);
                dz.setAtIndex(F, zr + u, dcv * gg * ig * (1 - ig));
                dz.setAtIndex(F, zr + hidden + u, dcv * cPrev.getAtIndex(F, s) * fg * (1 - fg));
                dz.setAtIndex(F, zr + 2L * hidden + u, dcv * ig * (1 - gg * gg));
                dz.setAtIndex(F, zr + 3L * hidden + u, dhv * tc * og * (1 - og));
                dc.setAtIndex(F, s, dcv * fg);
            }
        }
        for (int e = 0; e < 4 * hidden; e++) {
            float sum = dBias.getAtIndex(F, e);
            for (int b = 0; b < batch; b++) sum += dz.getAtIndex(F, 4L * b * hidden + e);
            dBias.setAtIndex(F, e, sum);
        }
    }
}
