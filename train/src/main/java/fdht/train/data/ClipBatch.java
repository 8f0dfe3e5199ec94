package fdht.train.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A buffer for up to {@code capacity} clips of a {@link LabelledClips} set: native, 64-byte-aligned
 * {@code [capacity][frames][frameSize]} float32 and {@code capacity} labels, allocated once and
 * refilled batch after batch ({@link #load}). Cost: {@code capacity x frames x frameSize x 4} bytes
 * (128 KB per MFM-40 clip) in the caller's arena.
 *
 * <p>Thread safety: none; one batch buffer per thread.
 */
public final class ClipBatch {
    private final MemorySegment clips;
    private final int[] labels;
    private final int capacity, frames, frameSize;
    private int size;

    public ClipBatch(int capacity, int frames, int frameSize, Arena arena) {
        if (capacity < 1 || frames < 1 || frameSize < 1)
            throw new IllegalArgumentException(
                    "capacity "
                            + capacity
                            + ", frames "
                            + frames
                            + ", frameSize "
                            + frameSize
                            + " must be positive");
        this.capacity = capacity;
        this.frames = frames;
        this.frameSize = frameSize;
        this.clips = arena.allocate((long) capacity * frames * frameSize * Float.BYTES, 64);
        this.labels = new int[capacity];
    }

    /** A buffer shaped for {@code source}'s clips. */
    public static ClipBatch of(LabelledClips source, int capacity, Arena arena) {
        return new ClipBatch(capacity, source.frames(), source.frameSize(), arena);
    }

    /** Fills this buffer with clips {@code first .. first+n-1} of {@code source}; returns this. */
    public ClipBatch load(LabelledClips source, long first, int n) {
        if (n > capacity)
            throw new IllegalArgumentException(n + " clips do not fit a batch of " + capacity);
        if (source.frames() != frames || source.frameSize() != frameSize) {
            throw new IllegalArgumentException(
                    "source clips are "
                            + source.frames()
                            + " x "
                            + source.frameSize()
                            + " but this batch holds "
                            + frames
                            + " x "
                            + frameSize);
        }
        source.fill(first, n, clips, labels);
        size = n;
        return this;
    }

    /** The clips, {@code [capacity][frames][frameSize]}; the first {@link #size()} are loaded. */
    public MemorySegment clips() {
        return clips;
    }

    /** The labels; the first {@link #size()} are loaded. Owned by this batch: read, do not keep. */
    public int[] labels() {
        return labels;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public int frames() {
        return frames;
    }

    public int frameSize() {
        return frameSize;
    }
}
