package fdht.kernels.model;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Iterator;

/**
 * Clips of one shape from an iterator, read in order by one scoring thread at a time (each copies
 * the next chunk into its own native buffer, then runs it while the others read theirs). The first
 * clip is read when the source is made, to learn the shape; the count is known at the end. Single
 * use: a second scoring continues where the first stopped. A clip of another shape fails the
 * scoring with an {@link IllegalArgumentException} naming it.
 */
final class IteratorClipSource extends ClipSource {
    private final Iterator<float[][]> clips;
    private final int frames, frameSize;
    private float[][] peeked; // the first clip, until read

    IteratorClipSource(Iterator<float[][]> clips) {
        if (clips == null) throw new IllegalArgumentException("clips: expected an iterator");
        if (!clips.hasNext()) {
            this.clips = clips;
            this.frames = 1;
            this.frameSize = 0; // no clip, no shape: scoring gives no output rows
            return;
        }
        float[][] first = clips.next();
        if (first == null || first.length == 0 || first[0] == null || first[0].length == 0)
            throw new IllegalArgumentException(
                    "clip 0: expected at least one frame of at least one value");
        this.clips = clips;
        this.frames = first.length;
        this.frameSize = first[0].length;
        this.peeked = first;
    }

    @Override
    public long count() {
        return -1;
    }

    @Override
    public int frames() {
        return frames;
    }

    @Override
    public int frameSize() {
        return frameSize;
    }

    @Override
    boolean empty() {
        return frameSize == 0;
    }

    @Override
    boolean sequential() {
        return true;
    }

    /** The next clip, or null at the end. */
    private float[][] next() {
        if (peeked != null) {
            float[][] p = peeked;
            peeked = null;
            return p;
        }
        return clips.hasNext() ? clips.next() : null;
    }

    @Override
    Reader reader(int maxClips, Arena arena) {
        MemorySegment buffer = Weights.floats(arena, maxClips * clipFloats());
        return new Reader() {
            @Override
            MemorySegment read(long first, int n) {
                return buffer.asSlice(0, n * clipFloats() * Float.BYTES);
            }

            @Override
            int readNext(long first, int max) {
                int n = 0;
                for (float[][] clip; n < max && (clip = next()) != null; n++) {
                    check(first + n, clip);
                    for (int t = 0; t < frames; t++)
                        MemorySegment.copy(
                                clip[t],
                                0,
                                buffer,
                                ValueLayout.JAVA_FLOAT,
                                ((long) n * frames + t) * frameSize * Float.BYTES,
                                frameSize);
                }
                return n;
            }

            @Override
            MemorySegment buffer() {
                return buffer;
            }
        };
    }

    private void check(long index, float[][] clip) {
        if (clip == null || clip.length != frames)
            throw new IllegalArgumentException(
                    "clip "
                            + index
                            + " has "
                            + (clip == null ? "no array" : clip.length + " frames")
                            + ", expected "
                            + frames
                            + " as clip 0");
        for (int t = 0; t < frames; t++)
            if (clip[t] == null || clip[t].length != frameSize)
                throw new IllegalArgumentException(
                        "clip "
                                + index
                                + ", frame "
                                + t
                                + " has "
                                + (clip[t] == null ? "no array" : clip[t].length + " values")
                                + ", expected "
                                + frameSize
                                + " as clip 0's");
    }

    @Override
    public String toString() {
        return "clips of " + frames + " x " + frameSize + " from an iterator";
    }
}
