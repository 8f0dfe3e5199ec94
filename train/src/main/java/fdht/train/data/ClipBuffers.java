package fdht.train.data;

import java.lang.foreign.MemorySegment;

/**
 * The one check that a caller's clip and label buffers can take {@code n} clips, shared by {@link
 * LabelledClips#checkFill} and the generated {@link MovingFashionMnist}. Stateless.
 */
final class ClipBuffers {
    private ClipBuffers() {}

    /**
     * Throws unless {@code clips} holds {@code n * clipFloats} floats and {@code labels} n ints.
     */
    static void check(int n, long clipFloats, MemorySegment clips, int[] labels) {
        if (clips.byteSize() < n * clipFloats * Float.BYTES) {
            throw new IllegalArgumentException(
                    "clip buffer holds "
                            + clips.byteSize() / Float.BYTES
                            + " floats but "
                            + n
                            + " clips need "
                            + n * clipFloats);
        }
        if (labels != null && labels.length < n)
            throw new IllegalArgumentException(
                    "label buffer holds "
                            + labels.length
                            + " labels but "
                            + n
                            + " clips need "
                            + n);
    }
}
