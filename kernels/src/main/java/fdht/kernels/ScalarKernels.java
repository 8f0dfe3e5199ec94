package fdht.kernels;

import fdht.layout.CompiledPlan;
import fdht.layout.internal.PlanTables;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels: plain loops in the order the definitions read, each sum accumulated in
 * {@code float} from {@code c = 0} upwards. Also the fallback when the Vector API is absent.
 *
 * <p>Thread safety: Stateless and thread-safe.
 */
public final class ScalarKernels implements Kernels {
    public static final ScalarKernels INSTANCE = new ScalarKernels();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void contract(
            CompiledPlan.Step step,
            MemorySegment factors,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff) {
        int p = step.p(), c = step.c(), q = step.q();
        int[] rowBase = PlanTables.rowBaseTable(step);
        int[] cOff = PlanTables.contractedOffsetTable(step);
        long f0 = step.factorOffset();
        for (int r = 0; r < p; r++) {
            long base = inOff + rowBase[r];
            for (int k = 0; k < q; k++) {
                float sum = 0f;
                for (int j = 0; j < c; j++) {
                    sum +=
                            in.getAtIndex(F, base + cOff[j])
                                    * factors.getAtIndex(F, f0 + (long) j * q + k);
                }
                out.setAtIndex(F, outOff + (long) r * q + k, sum);
            }
        }
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void contractLanes(
            CompiledPlan.Step step,
            float[] factors,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff,
            int lanes,
            int chunks) {
        LaneLayout.requireLanes(lanes, chunks);
        int p = step.p(), c = step.c(), q = step.q();
        long f0 = step.factorOffset();
        long inSize = step.inputSize(), outSize = (long) p * q;
        for (int k = 0; k < chunks; k++) {
            for (int l = 0; l < lanes; l++) {
                long ib = inOff + k * inSize * lanes + l, ob = outOff + k * outSize * lanes + l;
                for (int r = 0; r < p; r++) {
                    for (int qq = 0; qq < q; qq++) {
                        float sum = 0f;
                        for (int j = 0; j < c; j++) {
                            sum +=
                                    in.getAtIndex(
                                                    F,
                                                    ib
                                                            + (long)
                                                                            (step.rowBase(r)
                                                                                    + step
                                                                                            .contractedOffset(
                                                                                                    j))
                                                                    * lanes)
                                            * factors[Math.toIntExact(f0 + (long) j * q + qq)];
                        }
                        out.setAtIndex(F, ob + ((long) r * q + qq) * lanes, sum);
                    }
                }
            }
        }
    }

    @Override
    public void toLanes(
            MemorySegment src, long srcOff, long srcStride, int n, MemorySegment dst, long dstOff) {
        LaneLayout.toLanes(src, srcOff, srcStride, 1, n, dst, dstOff, 1);
    }

    @Override
    public void transposeBlocks(
            MemorySegment src,
            long srcOff,
            int[] srcVec,
            MemorySegment dst,
            long dstOff,
            int[] dstVec,
            int lanes) {
        LaneLayout.requireBlocks(srcVec, dstVec, lanes);
        for (int b = 0; b < srcVec.length; b += lanes) {
            for (int i = 0; i < lanes; i++) {
                for (int l = 0; l < lanes; l++) {
                    dst.setAtIndex(
                            F,
                            dstOff + dstVec[b + l] + i,
                            src.getAtIndex(F, srcOff + srcVec[b + i] + l));
                }
            }
        }
    }

    @Override
    public void gemm(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int batch,
            boolean accumulate) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < rows; i++) {
                float sum = 0f;
                long wr = wOff + (long) i * cols, xr = xOff + (long) b * cols;
                for (int j = 0; j < cols; j++)
                    sum += w.getAtIndex(F, wr + j) * x.getAtIndex(F, xr + j);
                long at = yOff + (long) b * rows + i;
                y.setAtIndex(F, at, accumulate ? y.getAtIndex(F, at) + sum : sum);
            }
        }
    }

    @Override
    public void lstmPointwise(
            MemorySegment z,
            long zOff,
            MemorySegment bias,
            MemorySegment c,
            MemorySegment h,
            int hidden,
            int batch) {
        for (int b = 0; b < batch; b++)
            lstmUnits(z, zOff + (long) b * 4 * hidden, bias, c, h, (long) b * hidden, hidden, 0);
    }

    /**
     * {@link #lstmPointwise} for units {@code from <= u < hidden} of one batch row, whose gates
     * start at {@code z[zr]} (left activated) and whose state at {@code c[s]}, {@code h[s]}; the
     * vector kernels use it for the units after their last whole vector.
     */
    public static void lstmUnits(
            MemorySegment z,
            long zr,
            MemorySegment bias,
            MemorySegment c,
            MemorySegment h,
            long s,
            int hidden,
            int from) {
        for (int u = from; u < hidden; u++) {
            float ig = sigmoid(z.getAtIndex(F, zr + u) + bias.getAtIndex(F, u));
            float fg = sigmoid(z.getAtIndex(F, zr + hidden + u) + bias.getAtIndex(F, hidden + u));
            float gg =
                    tanh(
                            z.getAtIndex(F, zr + 2L * hidden + u)
                                    + bias.getAtIndex(F, 2L * hidden + u));
            float og =
                    sigmoid(
                            z.getAtIndex(F, zr + 3L * hidden + u)
                                    + bias.getAtIndex(F, 3L * hidden + u));
            z.setAtIndex(F, zr + u, ig);
            z.setAtIndex(F, zr + hidden + u, fg);
            z.setAtIndex(F, zr + 2L * hidden + u, gg);
            z.setAtIndex(F, zr + 3L * hidden + u, og);
            float cNew = fg * c.getAtIndex(F, s + u) + ig * gg;
            c.setAtIndex(F, s + u, cNew);
            h.setAtIndex(F, s + u, og * tanh(cNew));
        }
    }

    @Override
    public void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        for (int k = 0; k < n; k++)
            out.setAtIndex(F, outOff + k, sigmoid(in.getAtIndex(F, inOff + k)));
    }

    @Override
    public void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        for (int k = 0; k < n; k++)
            out.setAtIndex(F, outOff + k, tanh(in.getAtIndex(F, inOff + k)));
    }

    @Override
    public void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int k = 0; k < n; k++)
            y.setAtIndex(F, yOff + k, y.getAtIndex(F, yOff + k) + x.getAtIndex(F, xOff + k));
    }

    @Override
    public void denseHead(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int batch,
            MemorySegment y,
            long yOff) {
        requireHeadStride(classes, stride);
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < classes; c++) {
                float acc = bias.getAtIndex(F, c);
                for (int k = 0; k < hidden; k++)
                    acc =
                            Math.fma(
                                    wt.getAtIndex(F, (long) k * stride + c),
                                    h.getAtIndex(F, hOff + (long) b * hidden + k),
                                    acc);
                y.setAtIndex(F, yOff + (long) b * classes + c, acc);
            }
        }
    }

    /** The check both kernels make of {@link #denseHead}'s {@code stride}. */
    public static void requireHeadStride(int classes, int stride) {
        if (classes < 1 || stride != Kernels.headStride(classes))
            throw new IllegalArgumentException(
                    "a head of "
                            + classes
                            + " classes needs rows of "
                            + Kernels.headStride(Math.max(classes, 1))
                            + " floats, got "
                            + stride);
    }

    @Override
    public int firstNonFinite(MemorySegment s, long off, int n) {
        for (int k = 0; k < n; k++) if (!Float.isFinite(s.getAtIndex(F, off + k))) return k;
        return -1;
    }

    /** Correctly rounded to float from a double evaluation. */
    public static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) v)));
    }

    public static float tanh(float v) {
        return (float) Math.tanh(v);
    }
}
