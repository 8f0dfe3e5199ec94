package fdht.kernels;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;

/**
 * The arithmetic of fdht: every loop that touches weights or activations. Two implementations
 * exist, {@link ScalarKernels} (plain Java, written to be obviously correct) and the Vector API one
 * in {@code fdht.kernels.vector}; {@link KernelProvider} picks one per JVM.
 *
 * <p>All segments are native; offsets and sizes count floats. Implementations are stateless,
 * thread-safe and allocate nothing on the heap.
 */
public interface Kernels {
    /** "scalar" or "vector-&lt;bits&gt;". */
    String name();

    /**
     * One contraction stage: {@code out[outOff + p*Q + k] = sum_c in[inOff + rowBase[p] +
     * contractedOffset[c]] * F[c*Q + k]} for {@code p < P}, {@code k < Q}, where {@code F} starts
     * at {@code step.factorOffset()} in {@code factors}.
     */
    void contract(
            CompiledPlan.Step step,
            MemorySegment factors,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff);

    /**
     * Vector lanes of {@link #contractLanes}: the batch rows one lane-layout chunk holds (1 for the
     * scalar kernels).
     */
    int lanes();

    /**
     * One contraction stage over {@code chunks x lanes} batch rows held with the batch innermost
     * (the lane layout, the CPU's mirror of the accelerator's banks): element {@code e} of the
     * stage's batch-1 buffer for batch row {@code k*lanes + l} is float {@code off + (k*size +
     * e)*lanes + l}, {@code size} being the stage's batch-1 input (for {@code in}) or output (for
     * {@code out}) size. {@code step} is a stage of the plan compiled for batch 1; per batch row
     * the result is that of {@link #contract}. {@code factors} holds the packed factors as {@link
     * #contract}'s segment does ({@code PlanTables.factorArray(CompiledPlan)}): the broadcast
     * operands, read one at a time. The vector kernels take only their own {@link #lanes()}; the
     * scalar ones any {@code lanes >= 1}.
     */
    void contractLanes(
            CompiledPlan.Step step,
            float[] factors,
            MemorySegment in,
            long inOff,
            MemorySegment out,
            long outOff,
            int lanes,
            int chunks);

    /**
     * Packs {@link #lanes()} row-major rows into one lane-layout chunk: {@code dst[dstOff + e*lanes
     * + l] = src[srcOff + l*srcStride + e]} for {@code e < n}. Its reference is {@link
     * LaneLayout#toLanes}.
     */
    void toLanes(
            MemorySegment src, long srcOff, long srcStride, int n, MemorySegment dst, long dstOff);

    /**
     * Moves whole {@code lanes x lanes} blocks from one lane layout into another (a batch-1 plan
     * whose lanes move from one group of axes to another, {@code fdht.layout.LanePlan}): for block
     * {@code b < srcVec.length / lanes} and {@code i, l < lanes}, {@code dst[dstOff +
     * dstVec[b*lanes + l] + i] = src[srcOff + srcVec[b*lanes + i] + l]}. The offsets count floats.
     * The vector kernels take only their own {@link #lanes()}; the scalar ones any {@code lanes >=
     * 1}.
     */
    void transposeBlocks(
            MemorySegment src,
            long srcOff,
            int[] srcVec,
            MemorySegment dst,
            long dstOff,
            int[] dstVec,
            int lanes);

    /**
     * Dense matrix times a batch: {@code y[yOff + b*rows + i] (+)= sum_j w[wOff + i*cols + j] *
     * x[xOff + b*cols + j]} for {@code b < batch}; with {@code accumulate} the products are added
     * to {@code y}.
     */
    void gemm(
            MemorySegment w,
            long wOff,
            int rows,
            int cols,
            MemorySegment x,
            long xOff,
            MemorySegment y,
            long yOff,
            int batch,
            boolean accumulate);

    /**
     * A transposed head's weight rows and its bias are padded to a multiple of this many floats, so
     * that whole vectors load at every lane count (at most 16).
     */
    int HEAD_STRIDE_MULTIPLE = 16;

    /**
     * {@code classes} rounded up to {@link #HEAD_STRIDE_MULTIPLE}: the row length of the weights
     * and the length of the bias that {@link #denseHead} takes.
     */
    static int headStride(int classes) {
        return Math.ceilDiv(classes, HEAD_STRIDE_MULTIPLE) * HEAD_STRIDE_MULTIPLE;
    }

    /**
     * A classification head on a batch of hidden states, the weights transposed: {@code y[yOff +
     * b*classes + c] = bias[c] + sum_k wt[k*stride + c] * h[hOff + b*hidden + k]} for {@code b <
     * batch}, {@code c < classes}, each logit one fused multiply-add chain over {@code k = 0, 1,
     * ...} started from its bias. So a logit's bits depend neither on the batch nor on the kernels
     * (the scalar twin's {@code Math.fma} chain gives the vector lanes' bits). {@code stride} is
     * {@link #headStride}{@code (classes)}; {@code wt} and {@code bias} are read, and ignored, past
     * {@code classes} up to it.
     *
     * @throws IllegalArgumentException if {@code stride} is not {@code headStride(classes)}
     */
    void denseHead(
            MemorySegment wt,
            MemorySegment bias,
            int hidden,
            int classes,
            int stride,
            MemorySegment h,
            long hOff,
            int batch,
            MemorySegment y,
            long yOff);

    /**
     * The LSTM cell's element-wise part for {@code batch} rows: {@code z[b]} holds the {@code 4H}
     * pre-activations in gate order i, f, g, o (bias not yet added); with {@code i, f, o =
     * sigmoid(z + bias)}, {@code g = tanh(z + bias)}: {@code c = f*c + i*g}, {@code h = o*tanh(c)},
     * updated in place ({@code c[b*H + u]}). Afterwards {@code z} holds the activated gates {@code
     * i, f, g, o} in place: the one cell of inference and training, whose reverse mode ({@code
     * fdht.train.plan.BackwardKernels#lstmCellBackward}) reads them.
     */
    void lstmPointwise(
            MemorySegment z,
            long zOff,
            MemorySegment bias,
            MemorySegment c,
            MemorySegment h,
            int hidden,
            int batch);

    /** {@code out[k] = 1 / (1 + exp(-in[k]))} for {@code k < n}. */
    void sigmoid(MemorySegment in, long inOff, MemorySegment out, long outOff, int n);

    /** {@code out[k] = tanh(in[k])} for {@code k < n}. */
    void tanh(MemorySegment in, long inOff, MemorySegment out, long outOff, int n);

    /** {@code y[yOff + k] += x[xOff + k]} for {@code k < n}. */
    void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n);

    /**
     * Index (relative to {@code off}) of the first NaN or infinity among {@code n} floats, or -1.
     */
    int firstNonFinite(MemorySegment s, long off, int n);
}
