package fdht.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The lane layout of a batch (see {@link Kernels#contractLanes}): batch rows in chunks of {@code
 * lanes}, the lane (batch row within its chunk) innermost, so one element of every row of a chunk
 * is one contiguous vector. Converts between it and the row-major {@code [b][e]} layout of the
 * callers. A conversion is one strided pass over {@code batch x size} floats; allocates nothing.
 *
 * <p>Thread safety: Stateless and thread-safe.
 */
public final class LaneLayout {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private LaneLayout() {}

    static void requireLanes(int lanes, int chunks) {
        if (lanes < 1 || chunks < 0)
            throw new IllegalArgumentException(
                    "lane layout of " + lanes + " lanes x " + chunks + " chunks");
    }

    /**
     * {@code dst[dstOff + (k*size + e)*lanes + l] = src[srcOff + b*srcStride + e]} for {@code b =
     * k*lanes + l < batch}, {@code e < size}; {@code batch} must be a multiple of {@code lanes}.
     */
    public static void toLanes(
            MemorySegment src,
            long srcOff,
            long srcStride,
            int batch,
            long size,
            MemorySegment dst,
            long dstOff,
            int lanes) {
        requireWhole(batch, lanes);
        for (int b = 0; b < batch; b++) {
            long s = srcOff + b * srcStride;
            long d = dstOff + (long) (b / lanes) * size * lanes + b % lanes;
            for (long e = 0; e < size; e++)
                dst.setAtIndex(F, d + e * lanes, src.getAtIndex(F, s + e));
        }
    }

    /**
     * The inverse of {@link #toLanes}: {@code dst[dstOff + b*dstStride + e] = src[srcOff + (k*size
     * + e)*lanes + l]}.
     */
    public static void fromLanes(
            MemorySegment src,
            long srcOff,
            int lanes,
            int batch,
            long size,
            MemorySegment dst,
            long dstOff,
            long dstStride) {
        requireWhole(batch, lanes);
        for (int b = 0; b < batch; b++) {
            long s = srcOff + (long) (b / lanes) * size * lanes + b % lanes;
            long d = dstOff + b * dstStride;
            for (long e = 0; e < size; e++)
                dst.setAtIndex(F, d + e, src.getAtIndex(F, s + e * lanes));
        }
    }

    /** Checks the tables of {@code Kernels#transposeBlocks}: equal lengths, whole blocks. */
    public static void requireBlocks(int[] srcVec, int[] dstVec, int lanes) {
        if (lanes < 1 || srcVec.length != dstVec.length || srcVec.length % lanes != 0)
            throw new IllegalArgumentException(
                    srcVec.length
                            + " source and "
                            + dstVec.length
                            + " destination vectors are not whole blocks of "
                            + lanes);
    }

    private static void requireWhole(int batch, int lanes) {
        if (lanes < 1 || batch < 0 || batch % lanes != 0) {
            throw new IllegalArgumentException(
                    "batch " + batch + " is not a whole number of " + lanes + "-lane chunks");
        }
    }
}
