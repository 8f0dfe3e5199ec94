package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A linear classification head on the last hidden state: {@code logits = W h + b}, {@code W} {@code
 * C x H} as given (row-major), held transposed and padded for {@link Kernels#denseHead}, native.
 * Immutable and thread-safe.
 */
public final class DenseHead {
    private final MemorySegment weightsT; // H x stride: the classes in the kernel's lanes
    private final MemorySegment bias; // stride, zero past the classes
    private final int classes;
    private final int hidden;
    private final int stride;

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
        this.classes = classes;
        this.hidden = hidden;
        this.stride = Kernels.headStride(classes);
        this.weightsT = Weights.floats(arena, (long) hidden * stride);
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < hidden; k++)
                Weights.set(weightsT, (long) k * stride + c, weights[c * hidden + k]);
        this.bias = Weights.floats(arena, stride);
        for (int c = 0; c < classes; c++) Weights.set(this.bias, c, bias[c]);
    }

    public int classes() {
        return classes;
    }

    /** {@code C x H} row-major, copied. */
    public float[] weightsToArray() {
        float[] w = new float[classes * hidden];
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < hidden; k++)
                w[c * hidden + k] = Weights.get(weightsT, (long) k * stride + c);
        return w;
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
        kernels.denseHead(weightsT, bias, hidden, classes, stride, h, 0, batch, logits, logitsOff);
    }
}
