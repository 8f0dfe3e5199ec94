package fdht.train.data;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A numbered set of labelled clips that is read a batch at a time: clip {@code i} is {@code
 * frames() x frameSize()} float32 and has a label in {@code [0, classes())}. Filling a batch writes
 * {@code [n][frames][frameSize]} floats at the start of a caller-owned segment and the labels into
 * a caller-owned array, so a loop over an epoch reuses one buffer and allocates nothing per batch
 * (see {@link ClipBatch}).
 *
 * <p>Thread safety: implementations in this package are immutable and their {@code fill} may be
 * called from several threads at once on different buffers.
 */
public interface LabelledClips {
    /** The number of clips, {@code 0..count()-1}. */
    long count();

    int frames();

    /** Inputs per frame ({@code N_x}). */
    int frameSize();

    /** Labels are in {@code [0, classes())}. */
    int classes();

    /** The classes' names, one per class, or an empty list when the set names none. */
    default List<String> classNames() {
        return List.of();
    }

    /**
     * Writes clips {@code first .. first+n-1} into {@code clips} ({@code [n][frames][frameSize]}
     * float32 from offset 0) and their labels into {@code labels[0..n-1]} (skipped when null).
     */
    void fill(long first, int n, MemorySegment clips, int[] labels);

    /** Floats in one clip. */
    default long clipFloats() {
        return (long) frames() * frameSize();
    }

    /**
     * Throws unless {@code [first, first+n)} are clips of this set and the buffers can hold them.
     */
    default void checkFill(long first, int n, MemorySegment clips, int[] labels) {
        if (n < 0 || first < 0 || first > count() - n)
            throw new IndexOutOfBoundsException(
                    "clips " + first + ".." + (first + n - 1) + " outside 0.." + (count() - 1));
        ClipBuffers.check(n, clipFloats(), clips, labels);
    }
}
