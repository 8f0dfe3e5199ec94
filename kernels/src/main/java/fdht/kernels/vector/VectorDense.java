package fdht.kernels.vector;

import fdht.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: dense GEMV/GEMM; to be replaced by the Vector API kernel. */
final class VectorDense {
    private VectorDense() {}

    static void gemm(MemorySegment w, long wOff, int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff, int batch, boolean accumulate) {
        ScalarKernels.INSTANCE.gemm(w, wOff, rows, cols, x, xOff, y, yOff, batch, accumulate);
    }
}
