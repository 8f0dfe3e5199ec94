package fdht.train.plan;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;

/**
 * The arithmetic of reverse mode, beside the forward {@code fdht.kernels.Kernels}: the two GEMMs of
 * a contraction stage's backward (DESIGN.md section 6) over a batch in the lane layout, the forward
 * lane kernel's own ({@code Kernels#contractLanes}), addressed by the same {@link
 * CompiledPlan.Step} tables; the two of a dense layer's; and the LSTM cell's, the reverse of {@code
 * Kernels#lstmPointwise}. {@link ScalarBackward} is the obviously correct reference; {@code
 * fdht.train.vector.VectorBackward} its Vector API twin; {@link BackwardProvider} picks one per
 * JVM, following the forward kernels.
 *
 * <p>All segments are native; offsets count floats. Buffers read as whole vectors need {@code
 * fdht.layout.Weights.SLACK_FLOATS} of slack past their end (allocate them with {@code
 * Weights.floats}). Implementations are stateless, thread-safe and allocate nothing.
 */
public interface BackwardKernels {
    /** "scalar" or "vector-&lt;bits&gt;". */
    String name();

    /**
     * Input gradient of a stage over {@code chunks x lanes} batch rows in the lane layout (the
     * layout of {@code fdht.kernels.Kernels#contractLanes}: element {@code e} of batch row {@code
     * k*lanes + l} at {@code (k*size + e)*lanes + l}): for every chunk {@code k}, {@code p, c} and
     * lane {@code l}, {@code dIn[dInOff + (k*inSize + rowBase[p] + cOff[c])*lanes + l] = sum_q
     * dOut[dOutOff + (k*outSize + p*Q + q)*lanes + l] * F[c*Q + q]}, {@code inSize}, {@code
     * outSize} being the stage's batch-1 sizes. The vector kernels take only their own lanes, the
     * scalar ones any {@code lanes >= 1}. {@code step} is a stage of a plan compiled for batch 1
     * whose view is a permutation of its input ({@code P*C} elements), so every element of {@code
     * dIn} is written once, not accumulated.
     */
    void stageInputLanes(
            CompiledPlan.Step step,
            MemorySegment factors,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dIn,
            long dInOff,
            int lanes,
            int chunks);

    /**
     * Factor gradient of a stage over the same lane layout: {@code dF[step.factorOffset() + c*Q +
     * q] += sum_k sum_p sum_l in[inOff + (k*inSize + rowBase[p] + cOff[c])*lanes + l] *
     * dOut[dOutOff + (k*outSize + p*Q + q)*lanes + l]}. Lanes past the batch must hold zeros in
     * {@code in} or {@code dOut} (then they add nothing).
     */
    void stageFactorLanes(
            CompiledPlan.Step step,
            MemorySegment in,
            long inOff,
            MemorySegment dOut,
            long dOutOff,
            MemorySegment dFactors,
            int lanes,
            int chunks);

    /**
     * Input gradient of a dense layer {@code y[b][i] = sum_j W[i][wCol + j] x[b][j]} ({@code W}
     * rows {@code ld} floats apart), for the {@code cols} columns from {@code wCol}: {@code
     * dx[dxOff + b*dxStride + j] = sum_i W[i*ld + wCol + j] * dy[dyOff + b*rows + i]}.
     */
    void denseInput(
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
            int batch);

    /**
     * Weight gradient of the same layer: {@code dW[i*ld + wCol + j] += sum_b dy[dyOff + b*rows + i]
     * * x[xOff + b*xStride + j]}, the sum in batch order. {@code scratch} holds at least {@link
     * #denseWeightsScratch denseWeightsScratch(rows, batch)} floats that the kernel may overwrite
     * (the vector one packs {@code dy} and a chunk of {@code x} there).
     */
    void denseWeights(
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
            MemorySegment scratch);

    /**
     * Floats of scratch {@link #denseWeights} needs for {@code rows} rows and {@code batch} batch
     * rows, in every implementation: {@code dy} transposed plus 512 KB, or 48 columns of {@code x}
     * when those are more.
     */
    static long denseWeightsScratch(int rows, int batch) {
        return (long) rows * batch + Math.max(128 * 1024, 48L * batch);
    }

    /**
     * Adam's update (AdamW: the weight decay decoupled) of elements {@code from..to-1} of one
     * parameter {@code w} with gradient {@code g} and moments {@code m}, {@code v}, in double, each
     * result stored as float:
     *
     * <pre>
     *   ge = (double) (g * gradScale)                 (a float product, as clipping takes it)
     *   m  = beta1 * m + (1 - beta1) * ge             v = beta2 * v + (1 - beta2) * ge * ge
     *   w  = w - lr * ((m / c1) / (sqrt(v / c2) + eps) + weightDecay * w)
     * </pre>
     *
     * (the new {@code m} and {@code v} in double in the last line). Lane-wise arithmetic only, in
     * this order, so every implementation gives the same bits.
     */
    void adam(
            AdamUpdate u,
            MemorySegment w,
            MemorySegment g,
            MemorySegment m,
            MemorySegment v,
            int from,
            int to);

    /** Throws unless {@code scratch} is large enough for {@link #denseWeights}. */
    static void requireScratch(MemorySegment scratch, int rows, int batch) {
        long need = denseWeightsScratch(rows, batch);
        if (scratch.byteSize() < need * Float.BYTES)
            throw new IllegalArgumentException(
                    "the weight gradient of "
                            + rows
                            + " rows at batch "
                            + batch
                            + " needs "
                            + need
                            + " floats of scratch, got "
                            + scratch.byteSize() / Float.BYTES);
    }

    /**
     * Reverse mode of the LSTM cell ({@code Kernels#lstmPointwise}) for {@code batch} rows of
     * {@code H = hidden} units, {@code [b][4H]} and {@code [b][H]} row-major from offset 0. Reads
     * the activated gates {@code i, f, g, o} the forward cell left in its {@code z} ({@code
     * gates}), {@code tanhC = tanh(c_t)}, {@code cPrev = c_{t-1}} and {@code dh = dL/dh_t}; {@code
     * dc} holds {@code dL/dc_t} from the later steps and becomes {@code dL/dc_{t-1}}; writes {@code
     * dz = dL/d(z + bias)} and adds {@code sum_b dz[b]} into {@code dBias} ({@code 4H}):
     *
     * <pre>
     *   dc' = dc + dh * o * (1 - tanhC^2)                 dc_{t-1} = dc' * f
     *   dz_i = dc' * g * i * (1 - i)     dz_f = dc' * cPrev * f * (1 - f)
     *   dz_g = dc' * i * (1 - g^2)       dz_o = dh * tanhC * o * (1 - o)
     * </pre>
     */
    void lstmCellBackward(
            MemorySegment gates,
            MemorySegment tanhC,
            MemorySegment cPrev,
            MemorySegment dh,
            MemorySegment dc,
            MemorySegment dz,
            MemorySegment dBias,
            int hidden,
            int batch);
}
