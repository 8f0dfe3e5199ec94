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
    private float[][] peeked; // the first clip, until read

    IteratorClipSource(Iterator<float[][]> clips) {
        this(clips, first(clips));
    }

    private IteratorClipSource(Iterator<float[][]> clips, float[][] first) {
        // no clip, no shape: frame size 0 marks it empty, and scoring gives no output rows
        super(-1, first == null ? 1 : first.length, first == null ? 0 : first[0].length);
        this.clips = clips;
        this.peeked = first;
    }

    /** The first clip (null for none), checked to have a shape. */
    private static float[][] first(Iterator<float[][]> clips) {
        if (clips == null) throw new IllegalArgumentException("clips: expected an iterator");
        if (!clips.hasNext()) return null;
        float[][] first = clips.next();
        if (first == null || first.length == 0 || first[0] == null || first[0].length == 0)
            throw new IllegalArgumentException(
                    "clip 0: expected at least one frame of at least one value");
        return first;
    }

    @Override
    boolean empty() {
        return frameSize() == 0;
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
        int frames = frames(), frameSize = frameSize();
        return new Reader() {
            @Override
            MemorySegment read(long first, int n) {
                return buffer.asSlice(0, n * clipFloats() * Float.BYTES);
            }

            @Override
            int readNext(long first, int max) {
                int n = 0;
                for (float[][] clip; n < max && (clip = next()) != null; n++) {
                    ClipShape.check(clip, first + n, frames, frameSize, false);
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

    @Override
    public String toString() {
        return "clips of " + frames() + " x " + frameSize() + " from an iterator";
    }
}
