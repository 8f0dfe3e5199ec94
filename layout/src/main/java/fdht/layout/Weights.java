package fdht.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Small helpers for float tensors in native memory.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class Weights {
    /** Kernels load whole vectors; buffers get this many floats of slack past their end. */
    public static final int SLACK_FLOATS = 64;

    public static final long ALIGN = 64;

    private Weights() {}

    /** A zeroed, 64-byte aligned native buffer of {@code floats} floats plus slack. */
    public static MemorySegment floats(Arena arena, long floats) {
        if (floats < 0) throw new IllegalArgumentException("negative size " + floats);
        return arena.allocate((floats + SLACK_FLOATS) * Float.BYTES, ALIGN);
    }

    public static float get(MemorySegment s, long index) {
        return s.getAtIndex(ValueLayout.JAVA_FLOAT, index);
    }

    public static void set(MemorySegment s, long index, float v) {
        s.setAtIndex(ValueLayout.JAVA_FLOAT, index, v);
    }

    /** Copies a heap array into a new native buffer. */
    public static MemorySegment copyOf(Arena arena, float[] values) {
        MemorySegment s = floats(arena, values.length);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    /** Copies {@code n} floats out of a segment. */
    public static float[] toArray(MemorySegment s, long from, int n) {
        float[] out = new float[n];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, from * Float.BYTES, out, 0, n);
        return out;
    }
}
