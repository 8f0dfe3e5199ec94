package fdht.kernels.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * The clips {@link Model#score} reads: {@code count()} clips of {@code frames()} frames of {@code
 * frameSize()} float32 values each, read a chunk of consecutive clips at a time by the scoring
 * threads, so the whole input is never in memory at once.
 *
 * <ul>
 *   <li>{@link #npy(Path)}: a {@code [B, T, N]} (or {@code [T, N]}: one clip) float32 {@code .npy},
 *       read a chunk at a time into one buffer per scoring thread, so resident memory stays bounded
 *       whatever the file size.
 *   <li>{@link #of(MemorySegment, int, int)}: clips already in memory ({@code [B][T][N]}); a native
 *       segment is read in place, a heap one copied a chunk at a time. A segment confined to the
 *       calling thread is scored on that thread alone (as is a model {@link Model#of wrapping} a
 *       stack in such an arena, and so are caller segments given as destinations).
 *   <li>{@link #of(float[][][])}: clips as arrays, copied a chunk at a time.
 *   <li>{@link #of(Iterator)}: clips of one length as they come (its first clip is read at once to
 *       learn the shape; the count is known at the end); single use.
 *   <li>{@link #of(long, int, int, Filler)}: any other source that can write clips {@code first ..
 *       first+count-1} into a buffer (generated clips, a data set).
 * </ul>
 *
 * Thread safety: a source is immutable (apart from an iterator's progress) and may be scored by
 * several calls one after another; each scoring thread reads through its own reader.
 */
public abstract sealed class ClipSource
        permits NpyClipSource, SegmentClipSource, FilledClipSource, IteratorClipSource {

    /** Writes clips on request; called from several threads at once for different clips. */
    @FunctionalInterface
    public interface Filler {
        /**
         * Writes clips {@code first .. first+count-1} ({@code [count][T][N]} float32) at the start
         * of {@code into}.
         *
         * @param first the first clip's index
         * @param count how many clips
         * @param into a native buffer that holds them, confined to the calling thread
         */
        void fill(long first, int count, MemorySegment into);
    }

    private final long count;
    private final int frames, frameSize;

    /** A source of {@code count} clips (-1: known at the end) of {@code frames x frameSize}. */
    ClipSource(long count, int frames, int frameSize) {
        this.count = count;
        this.frames = frames;
        this.frameSize = frameSize;
    }

    /**
     * Clips of a float32 {@code .npy} of shape {@code [B, T, N]} or {@code [T, N]}; its header is
     * checked now.
     *
     * @param file the {@code .npy}
     * @return its clips
     * @throws fdht.layout.io.ModelFileException naming the file when it is not such an array
     */
    public static ClipSource npy(Path file) {
        return new NpyClipSource(file);
    }

    /**
     * Clips in memory.
     *
     * @param clips {@code [B][T][N]} float32, exactly {@code batch x frames x N} of them
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @return its clips
     */
    public static ClipSource of(MemorySegment clips, int batch, int frames) {
        return new SegmentClipSource(clips, batch, frames);
    }

    /**
     * Clips as arrays, all of one shape (checked now).
     *
     * @param clips {@code [B][T][N]}
     * @return its clips
     */
    public static ClipSource of(float[][][] clips) {
        return FilledClipSource.ofArrays(clips);
    }

    /**
     * Clips of one shape from an iterator; its first clip is read now, to learn the shape.
     *
     * @param clips {@code [T][N]} each
     * @return its clips, for one scoring
     */
    public static ClipSource of(Iterator<float[][]> clips) {
        return new IteratorClipSource(clips);
    }

    /**
     * Clips that a filler writes on request.
     *
     * @param count how many clips
     * @param frames frames per clip
     * @param frameSize values per frame
     * @param filler writes them, from several threads at once
     * @return the clips
     */
    public static ClipSource of(long count, int frames, int frameSize, Filler filler) {
        return new FilledClipSource(count, frames, frameSize, filler, "generated clips");
    }

    /**
     * The number of clips.
     *
     * @return the count, or -1 when it is known only at the end (an iterator)
     */
    public final long count() {
        return count;
    }

    /**
     * Frames per clip.
     *
     * @return {@code T}
     */
    public final int frames() {
        return frames;
    }

    /**
     * Values per frame.
     *
     * @return {@code N}, which must be the model's {@code N_x}
     */
    public final int frameSize() {
        return frameSize;
    }

    /** Floats in one clip. */
    final long clipFloats() {
        return (long) frames * frameSize;
    }

    /**
     * A reader for one scoring thread, made on that thread, holding up to {@code maxClips} clips;
     * its buffers live in {@code arena} (confined to the thread).
     */
    abstract Reader reader(int maxClips, Arena arena);

    /** Whether only the calling thread may read it (a segment confined to that thread). */
    boolean confinedToCaller() {
        return false;
    }

    /** Whether it is known to hold no clip (its shape then does not matter). */
    boolean empty() {
        return count() == 0;
    }

    /** Whether clips come one after another only (an iterator), not by index. */
    boolean sequential() {
        return false;
    }

    /** Reads chunks for one thread. */
    abstract static class Reader implements AutoCloseable {
        /**
         * Clips {@code first .. first+n-1} as a native segment {@code [n][T][N]}, valid until the
         * next call or {@link #close}.
         */
        abstract MemorySegment read(long first, int n);

        /**
         * For a {@link #sequential()} source: reads the next at most {@code max} clips (the first
         * being clip {@code first} of the source, for messages) into {@link #buffer()}, returns how
         * many (0 at the end). Called by one thread at a time, in order.
         */
        int readNext(long first, int max) {
            throw new UnsupportedOperationException("a source read by index");
        }

        /** Where {@link #readNext} puts its clips. */
        MemorySegment buffer() {
            throw new UnsupportedOperationException("a source read by index");
        }

        @Override
        public void close() {}
    }
}
