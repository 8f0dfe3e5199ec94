package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A linear classification head on the last hidden state: {@code logits = W h + b}, {@code W} {@code
 * C x H} row-major, native. Immutable and thread-safe.
 */
public final class DenseHead {
    private final MemorySegment weights;
    private final MemorySegment bias;
    private final int classes;
    private final int hidden;

    public DenseHead(float[] weights, float[] bias, int classes, int hidden, Arena arena) {
        if (classes < 1 || hidden < 1)
            throw new IllegalArgumentException(
                    "head of " + classes + " classes over " + hidden + " hidden units");
        if (weights.length != classes * hidden)
            throw new IllegalArgumentException(
                    "head weights need C x H = "
                            + classes * hidden
                            + " values, got "
                            + weights.length);
        if (bias.length != classes)
            throw new IllegalArgumentException(
                    "head bias needs C = " + classes + " values, got " + bias.length);
        Lstm.requireFinite(weights, "head weights");
        Lstm.requireFinite(bias, "head bias");
        this.weights = Weights.copyOf(arena, weights);
        this.bias = Weights.copyOf(arena, bias);
        this.classes = classes;
        this.hidden = hidden;
    }

    public int classes() {
        return classes;
    }

    /** {@code C x H} row-major, copied. */
    public float[] weightsToArray() {
        return Weights.toArray(weights, 0, classes * hidden);
    }

    public float[] biasToArray() {
        return Weights.toArray(bias, 0, classes);
    }

    public int hidden() {
        return hidden;
    }

    /** {@code logits[b][C] = W h[b] + bias} for {@code batch} rows. */
    public void apply(MemorySegment h, int batch, MemorySegment logits, Kernels kernels) {
        apply(h, batch, logits, 0, kernels);
    }

    /**
     * As {@link #apply(MemorySegment, int, MemorySegment, Kernels)}, the logits from float {@code
     * logitsOff} on.
     */
    void apply(MemorySegment h, int batch, MemorySegment logits, long logitsOff, Kernels kernels) {
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(
                    bias,
                    0,
                    logits,
                    (logitsOff + (long) b * classes) * Float.BYTES,
                    (long) classes * Float.BYTES);
        }
        kernels.gemm(weights, 0, classes, hidden, h, 0, logits, logitsOff, batch, true);
    }
}
