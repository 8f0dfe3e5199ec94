package fdht.train.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One trainable tensor: a name (as the model file spells it), a shape and its values in native
 * memory (64-byte aligned, with the kernels' slack). The optimiser writes the values in place.
 *
 * <p>Thread safety: the values are mutable; training writes them only between steps, when no thread
 * reads them.
 */
public record Parameter(String name, long[] shape, MemorySegment value) {
    public Parameter {
        shape = shape.clone();
    }

    /** A zeroed parameter of the given shape. */
    public static Parameter zeros(String name, long[] shape, Arena arena) {
        long n = 1;
        for (long s : shape) n *= s;
        return new Parameter(name, shape, Weights.floats(arena, n));
    }

    /** Number of floats. */
    public int size() {
        long n = 1;
        for (long s : shape) n *= s;
        return Math.toIntExact(n);
    }

    public float[] toArray() {
        return Weights.toArray(value, 0, size());
    }

    /** Copies {@code v} in; rejects a wrong length or non-finite values. */
    public void set(float[] v) {
        if (v.length != size())
            throw new IllegalArgumentException(
                    name + " needs " + size() + " values, got " + v.length);
        for (int e = 0; e < v.length; e++) {
            if (!Float.isFinite(v[e]))
                throw new IllegalArgumentException(
                        name + " has a non-finite value " + v[e] + " at index " + e);
        }
        MemorySegment.copy(v, 0, value, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, v.length);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
