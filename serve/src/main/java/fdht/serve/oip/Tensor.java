package fdht.serve.oip;

import java.util.Arrays;

/**
 * One FP32 tensor of an inference request or response: its name, shape and values, row-major.
 * Immutable by convention (the arrays are not copied: the server makes each once).
 *
 * @param name the protocol's tensor name ({@code input}, {@code logits}, {@code hidden})
 * @param shape its dimensions
 * @param data {@code prod(shape)} values
 * @param binary whether it travels as binary tensor data (Triton's extension) instead of JSON
 */
public record Tensor(String name, long[] shape, float[] data, boolean binary) {
    /** Checks that the values fill the shape. */
    public Tensor {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != data.length)
            throw new IllegalArgumentException(
                    "tensor "
                            + name
                            + " of shape "
                            + Arrays.toString(shape)
                            + " holds "
                            + n
                            + " values, got "
                            + data.length);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
