package fdht.kernels.model;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Clips that a {@link ClipSource.Filler} writes into each reader's native buffer a chunk at a time:
 * generated clips, a data set, or arrays ({@link #ofArrays}, their shapes checked when the source
 * is made).
 */
final class FilledClipSource extends ClipSource {
    private final Filler filler;
    private final String what;

    FilledClipSource(long count, int frames, int frameSize, Filler filler, String what) {
        super(count, frames, frameSize);
        if (count < 0 || frames < 1 || frameSize < 1)
            throw new IllegalArgumentException(
                    count
                            + " clips of "
                            + frames
                            + " x "
                            + frameSize
                            + ": expected count >= 0, frames >= 1 and frame size >= 1");
        if (filler == null) throw new IllegalArgumentException("filler: expected a Filler");
        this.filler = filler;
        this.what = what;
    }

    /** Arrays {@code [B][T][N]}, every clip and frame checked against clip 0's shape. */
    static FilledClipSource ofArrays(float[][][] clips) {
        if (clips == null || clips.length == 0 || clips[0] == null || clips[0].length == 0)
            throw new IllegalArgumentException("clips: expected at least one clip of one frame");
        int frames = clips[0].length;
        int n = clips[0][0] == null ? 0 : clips[0][0].length;
        if (n == 0)
            throw new IllegalArgumentException(
                    "clip 0, frame 0 has no values, expected at least 1");
        for (int b = 0; b < clips.length; b++) ClipShape.check(clips[b], b, frames, n, false);
        return new FilledClipSource(
                clips.length,
                frames,
                n,
                (first, count, into) -> {
                    for (int b = 0; b < count; b++)
                        for (int t = 0; t < frames; t++)
                            MemorySegment.copy(
                                    clips[(int) first + b][t],
                                    0,
                                    into,
                                    ValueLayout.JAVA_FLOAT,
                                    ((long) b * frames + t) * n * Float.BYTES,
                                    n);
                },
                "arrays");
    }

    @Override
    Reader reader(int maxClips, Arena arena) {
        MemorySegment buffer = Weights.floats(arena, maxClips * clipFloats());
        return new Reader() {
            @Override
            MemorySegment read(long first, int n) {
                MemorySegment chunk = buffer.asSlice(0, n * clipFloats() * Float.BYTES);
                filler.fill(first, n, chunk);
                return chunk;
            }
        };
    }

    @Override
    public String toString() {
        return count() + " " + what + " of " + frames() + " x " + frameSize();
    }
}
