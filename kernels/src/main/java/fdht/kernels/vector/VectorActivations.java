package fdht.kernels.vector;

import fdht.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: activations; to be replaced by the Vector API kernels. */
final class VectorActivations {
    private VectorActivations() {}

    static void lstmPointwise(MemorySegment z, long zOff, MemorySegment bias, MemorySegment c, MemorySegment h, int hidden, int batch) {
        ScalarKernels.INSTANCE.lstmPointwise(z, zOff, bias, c, h, hidden, batch);
    }

    static void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        ScalarKernels.INSTANCE.sigmoid(in, inOff, out, outOff, n);
    }

    static void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n) {
        ScalarKernels.INSTANCE.tanh(in, inOff, out, outOff, n);
    }

    static void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        ScalarKernels.INSTANCE.add(x, xOff, y, yOff, n);
    }
}
