package fdht.train.lstm;

import fdht.kernels.Kernels;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Backpropagation through time for one batch of clips: the forward pass through the projection's
 * tape and the inference cell ({@link Kernels#lstmPointwise}, which leaves the activated gates in
 * its {@code z}: gates and cell states are kept per step), the head and softmax cross-entropy on
 * the last hidden state, then the reverse pass over the clip, the cell's through {@link
 * BackwardKernels#lstmCellBackward}:
 *
 * <pre>
 *   dc  += dh * o * (1 - tanh(c)^2)          do = dh * tanh(c)
 *   di   = dc * g    dg = dc * i    df = dc * c_prev    dc_prev = dc * f
 *   dz   = (di i(1-i), df f(1-f), dg (1-g^2), do o(1-o))        dh_prev = W_h^T dz (via the projection)
 * </pre>
 *
 * The projections and the cell run the inference kernels forward ({@code Kernels.contractLanes},
 * {@code gemm}, {@code lstmPointwise}: a step's {@code h} is bit for bit the inference step's when
 * the projection runs the same kernels on the same weights) and the backward kernels back. One per
 * thread, for a fixed batch size and frame count; costs the tape plus {@code (T+1) * B * 6H + B *
 * 8H} floats and the head's weight-gradient scratch (about 512 KB); {@link #run} allocates only its
 * small result. Not thread-safe.
 */
public final class Bptt {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private final TrainableLstm model;
    private final TrainableProjection.Tape tape;
    private final int batch;
    private final int frames;
    private final int hidden;
    private final int classes;
    private final MemorySegment[] h; // [t][b][H], h[0] = 0
    private final MemorySegment[] c; // [t][b][H], c[0] = 0
    private final MemorySegment[] gates; // [t][b][4H]: z, then i, f, g, o after the cell
    private final MemorySegment tanhC, dz, dh, dhPrev, dc, logits, dLogits, headScratch;
    private final MemorySegment[] grads;
    private final int biasIndex, headWeightIndex, headBiasIndex;

    /** The loss summed over the batch and the number of clips whose argmax is the label. */
    public record Result(double lossSum, int correct, int count) {}

    public Bptt(TrainableLstm model, int batch, int frames, Arena arena) {
        if (batch < 1 || frames < 1)
            throw new IllegalArgumentException(
                    "batch " + batch + " and frames " + frames + " must be at least 1");
        this.model = model;
        this.batch = batch;
        this.frames = frames;
        this.hidden = model.hiddenSize();
        this.classes = model.classes();
        this.tape = model.projection().newTape(batch, frames, arena);
        this.h = new MemorySegment[frames + 1];
        this.c = new MemorySegment[frames + 1];
        this.gates = new MemorySegment[frames];
        for (int t = 0; t <= frames; t++) {
            h[t] = Weights.floats(arena, (long) batch * hidden);
            c[t] = Weights.floats(arena, (long) batch * hidden);
            if (t < frames) gates[t] = Weights.floats(arena, 4L * batch * hidden);
        }
        this.tanhC = Weights.floats(arena, (long) batch * hidden);
        this.dz = Weights.floats(arena, 4L * batch * hidden);
        this.dh = Weights.floats(arena, (long) batch * hidden);
        this.dhPrev = Weights.floats(arena, (long) batch * hidden);
        this.dc = Weights.floats(arena, (long) batch * hidden);
        this.logits = Weights.floats(arena, (long) batch * classes);
        this.dLogits = Weights.floats(arena, (long) batch * classes);
        this.headScratch =
                Weights.floats(arena, BackwardKernels.denseWeightsScratch(classes, batch));
        List<Parameter> ps = model.parameters();
        this.grads = TrainableLstm.gradientsFor(ps, arena);
        this.headBiasIndex = ps.size() - 1;
        this.headWeightIndex = ps.size() - 2;
        this.biasIndex = ps.size() - 3;
    }

    /**
     * This workspace's gradient buffers, indexed as {@code model.parameters()}; {@link #run} adds
     * into them.
     */
    public MemorySegment[] gradients() {
        return grads;
    }

    /** Zeroes the gradient buffers. */
    public void clearGradients() {
        for (MemorySegment g : grads) g.fill((byte) 0);
    }

    /**
     * Forward and backward over {@code clips} ({@code [batch][frames][N_x]}, the layout of a clip
     * batch) with {@code labels}: returns the summed cross-entropy and the hits, and adds {@code
     * scale * dL/dθ} (L summed over the batch) into {@link #gradients()}.
     */
    public Result run(
            MemorySegment clips, int[] labels, double scale, Kernels k, BackwardKernels bk) {
        Result r = forward(clips, labels, scale, k);
        backward(k, bk);
        return r;
    }

    /** The forward half of {@link #run}: fills the tape and {@code dLogits}. */
    Result forward(MemorySegment clips, int[] labels, double scale, Kernels k) {
        int n = model.inputSize();
        long stride = (long) frames * n;
        if (clips.byteSize() < (long) batch * stride * Float.BYTES) {
            throw new IllegalArgumentException(
                    "clips hold "
                            + clips.byteSize() / Float.BYTES
                            + " floats, not batch "
                            + batch
                            + " x "
                            + frames
                            + " x "
                            + n);
        }
        MemorySegment bias = model.bias().value();
        long state = (long) batch * hidden * Float.BYTES;
        for (int t = 0; t < frames; t++) {
            tape.forward(t, clips, (long) t * n, stride, h[t], gates[t], k);
            MemorySegment.copy(c[t], 0, c[t + 1], 0, state); // the cell updates c in place
            k.lstmPointwise(gates[t], 0, bias, c[t + 1], h[t + 1], hidden, batch);
        }
        MemorySegment hw = model.headWeight().value(), hb = model.headBias().value();
        k.gemm(hw, 0, classes, hidden, h[frames], 0, logits, 0, batch, false);
        double loss = 0;
        int correct = 0;
        for (int b = 0; b < batch; b++) {
            int label = labels[b];
            if (label < 0 || label >= classes)
                throw new IllegalArgumentException(
                        "label "
                                + label
                                + " of batch row "
                                + b
                                + " is not in [0, "
                                + classes
                                + ")");
            double max = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < classes; j++) {
                long at = (long) b * classes + j;
                float v = logits.getAtIndex(F, at) + hb.getAtIndex(F, j);
                logits.setAtIndex(F, at, v);
                if (v > max) {
                    max = v;
                    arg = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < classes; j++)
                sum += Math.exp(logits.getAtIndex(F, (long) b * classes + j) - max);
            double logZ = max + Math.log(sum);
            loss += logZ - logits.getAtIndex(F, (long) b * classes + label);
            if (arg == label) correct++;
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits.getAtIndex(F, (long) b * classes + j) - logZ);
                dLogits.setAtIndex(
                        F, (long) b * classes + j, (float) (scale * (p - (j == label ? 1 : 0))));
            }
        }
        return new Result(loss, correct, batch);
    }

    private void backward(Kernels k, BackwardKernels bk) {
        MemorySegment hw = model.headWeight().value();
        bk.denseWeights(
                grads[headWeightIndex],
                classes,
                hidden,
                0,
                hidden,
                dLogits,
                0,
                h[frames],
                0,
                hidden,
                batch,
                headScratch);
        MemorySegment gb = grads[headBiasIndex];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < classes; j++)
                gb.setAtIndex(
                        F, j, gb.getAtIndex(F, j) + dLogits.getAtIndex(F, (long) b * classes + j));
        }
        bk.denseInput(hw, classes, hidden, 0, hidden, dLogits, 0, dh, 0, hidden, batch);
        dc.fill((byte) 0);
        MemorySegment gBias = grads[biasIndex];
        MemorySegment dhNow = dh, dhNext = dhPrev;
        for (int t = frames - 1; t >= 0; t--) {
            k.tanh(c[t + 1], 0, tanhC, 0, batch * hidden);
            bk.lstmCellBackward(gates[t], tanhC, c[t], dhNow, dc, dz, gBias, hidden, batch);
            tape.backward(t, dz, h[t], dhNext, grads, bk);
            MemorySegment swap = dhNow;
            dhNow = dhNext;
            dhNext = swap;
        }
        tape.finish(grads, bk);
    }

    /** {@code h_t} of the last forward pass, {@code [b][H]} ({@code h_0 = 0}), for the tests. */
    MemorySegment hiddenState(int t) {
        return h[t].asReadOnly();
    }

    /** The logits of the last {@link #run}, {@code [b][C]} (bias included). */
    public float logit(int b, int j) {
        return logits.getAtIndex(F, (long) b * classes + j);
    }
}
