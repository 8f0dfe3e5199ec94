package fdht.kernels.model;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Clips already in memory, {@code [B][T][N]} float32: a native segment is read in place (a slice
 * per chunk), a heap one copied a chunk at a time into the reader's native buffer (the kernels read
 * native memory only). A segment confined to the calling thread is scored on that thread alone.
 */
final class SegmentClipSource extends ClipSource {
    private final MemorySegment clips;

    SegmentClipSource(MemorySegment clips, int batch, int frames) {
        super(batch, frames, frameSize(clips, batch, frames));
        this.clips = clips;
    }

    /** The frame size that {@code clips} holds, once checked. */
    private static int frameSize(MemorySegment clips, int batch, int frames) {
        if (clips == null) throw new IllegalArgumentException("clips: expected a segment");
        if (batch < 1 || frames < 1)
            throw new IllegalArgumentException(
                    "batch " + batch + " and frames " + frames + ": expected both at least 1");
        long perFrame = (long) batch * frames * Float.BYTES;
        if (clips.byteSize() % perFrame != 0 || clips.byteSize() == 0)
            throw new IllegalArgumentException(
                    "a segment of "
                            + clips.byteSize()
                            + " bytes does not hold "
                            + batch
                            + " clips of "
                            + frames
                            + " frames of float32: expected a multiple of "
                            + perFrame
                            + " bytes");
        long n = clips.byteSize() / perFrame;
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("frames of " + n + " values: beyond 2^31 - 1");
        if (!clips.isAccessibleBy(Thread.currentThread()))
            throw new IllegalArgumentException(
                    "the clip segment is confined to another thread: expected a segment this"
                            + " thread can read");
        return (int) n;
    }

    @Override
    boolean confinedToCaller() {
        return !clips.isAccessibleBy(Thread.ofPlatform().unstarted(() -> {}));
    }

    @Override
    Reader reader(int maxClips, Arena arena) {
        MemorySegment copy =
                clips.isNative() ? null : Weights.floats(arena, maxClips * clipFloats());
        return new Reader() {
            @Override
            MemorySegment read(long first, int n) {
                long at = first * clipFloats() * Float.BYTES,
                        bytes = n * clipFloats() * Float.BYTES;
                if (copy == null) return clips.asSlice(at, bytes);
                MemorySegment.copy(clips, at, copy, 0, bytes);
                return copy.asSlice(0, bytes);
            }
        };
    }

    @Override
    public String toString() {
        return "a segment of " + count() + " clips of " + frames() + " x " + frameSize();
    }
}
