package fdht.kernels.vector;

import fdht.kernels.Kernels;
import fdht.kernels.LaneLayout;
import fdht.kernels.ScalarKernels;
import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;

/**
 * The Vector API kernels; each family lives in its own class. Loaded only by {@code
 * KernelProvider}.
 *
 * <p>Thread safety: Stateless and thread-safe.
 */
public final class VectorKernels implements Kernels {
    public static final VectorKernels INSTANCE = new VectorKernels();

    static {
        C1Directive
                .register(); // before any kernel runs: C1 code of these kernels can be 10x slower
        // for good
    }

    private VectorKernels() {}

    @Override
    public String name() {
        return "vector-" + VectorConstants.S.vectorBitSize();
    }

    @Override
    public void contract(
            CompiledPlan.Step step,
            MemorySegment factors,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff) {
        VectorContract.contract(step, factors, in, inOff, out, outOff);
    }

    @Override
    public int lanes() {
        return VectorConstants.L;
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
        requireLanes(lanes);
        VectorLaneContract.contract(step, factors, in, inOff, out, outOff, chunks);
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
        requireLanes(lanes);
        LaneLayout.requireBlocks(srcVec, dstVec, lanes);
        VectorLaneTranspose.transposeBlocks(src, srcOff, srcVec, dst, dstOff, dstVec);
    }

    private static void requireLanes(int lanes) {
        if (lanes != VectorConstants.L) {
            throw new IllegalArgumentException(
                    "lane layout of "
                            + lanes
                            + " lanes, but these kernels' vectors hold "
                            + VectorConstants.L);
        }
    }

    @Override
    public void toLanes(
            MemorySegment src, long srcOff, long srcStride, int n, MemorySegment dst, long dstOff) {
        VectorLaneTranspose.toLanes(src, srcOff, srcStride, n, dst, dstOff);
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
        VectorDense.gemm(w, wOff, rows, cols, x, xOff, y, yOff, batch, accumulate);
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
        VectorActivations.lstmPointwise(z, zOff, bias, c, h, hidden, batch);
    }

    @Override
    public void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        VectorActivations.sigmoid(in, inOff, out, outOff, n);
    }

    @Override
    public void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        VectorActivations.tanh(in, inOff, out, outOff, n);
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
        ScalarKernels.requireHeadStride(classes, stride);
        VectorHead.apply(wt, bias, hidden, classes, stride, h, hOff, batch, y, yOff);
    }

    @Override
    public int firstNonFinite(MemorySegment s, long off, int n) {
        return VectorActivations.firstNonFinite(s, off, n);
    }

    @Override
    public void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        VectorActivations.add(x, xOff, y, yOff, n);
    }
}
