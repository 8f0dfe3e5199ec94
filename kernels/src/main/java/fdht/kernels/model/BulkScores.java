package fdht.kernels.model;

import java.util.Arrays;
import java.util.List;

/**
 * What {@link Model#score} did: how many clips it scored, on how many threads, in chunks of how
 * many clips, in how long, and, when the logits had no other destination ({@link BulkOptions}), the
 * logits themselves ({@code clips() x C} floats in input order) with each clip's top class and
 * label.
 *
 * <p>Immutable and thread-safe; {@link #logits(int)} returns a copy. Asking for logits that were
 * not kept is an {@link IllegalStateException}.
 */
public final class BulkScores {
    private final long clips;
    private final int frames, threads, chunk, classes;
    private final long nanos;
    private final float[] logits; // [clips][C], or null when not kept
    private final List<String> labels;

    BulkScores(
            long clips,
            int frames,
            int threads,
            int chunk,
            long nanos,
            float[] logits,
            int classes,
            List<String> labels) {
        this.clips = clips;
        this.frames = frames;
        this.threads = threads;
        this.chunk = chunk;
        this.nanos = nanos;
        this.logits = logits;
        this.classes = classes;
        this.labels = labels;
    }

    /**
     * Clips scored.
     *
     * @return the number of clips
     */
    public long clips() {
        return clips;
    }

    /**
     * Frames per clip.
     *
     * @return {@code T}
     */
    public int frames() {
        return frames;
    }

    /**
     * Threads that scored.
     *
     * @return the threads, the caller's included
     */
    public int threads() {
        return threads;
    }

    /**
     * Clips per chunk.
     *
     * @return the chunk the call used
     */
    public int chunk() {
        return chunk;
    }

    /**
     * Wall time of the call, reading and writing included.
     *
     * @return seconds
     */
    public double seconds() {
        return nanos / 1e9;
    }

    /**
     * Whether the logits were kept here.
     *
     * @return true when {@link #logits()} has them
     */
    public boolean hasLogits() {
        return logits != null;
    }

    private float[] requireLogits() {
        if (logits == null)
            throw new IllegalStateException(
                    "the logits were not kept: they went to the options' destinations or the model"
                            + " computed none");
        return logits;
    }

    private int requireClip(long clip) {
        requireLogits();
        if (clip < 0 || clip >= clips)
            throw new IllegalArgumentException("clip " + clip + ": expected 0.." + (clips - 1));
        return (int) clip * classes;
    }

    /**
     * One clip's logits.
     *
     * @param clip its index in the input, {@code 0..clips()-1}
     * @return its {@code C} logits, a copy
     */
    public float[] logits(long clip) {
        int at = requireClip(clip);
        return Arrays.copyOfRange(logits, at, at + classes);
    }

    /**
     * All logits.
     *
     * @return {@code [clips][C]} row-major, a copy
     */
    public float[] logits() {
        return requireLogits().clone();
    }

    /**
     * One clip's class.
     *
     * @param clip its index in the input, {@code 0..clips()-1}
     * @return the index of its largest logit (ties: the lowest index; NaN ranks last)
     */
    public int top(long clip) {
        return Logits.top(logits, requireClip(clip), classes);
    }

    /**
     * One clip's class label.
     *
     * @param clip its index in the input, {@code 0..clips()-1}
     * @return the label of {@link #top(long)}
     */
    public String label(long clip) {
        return labels.get(top(clip));
    }

    @Override
    public String toString() {
        return String.format(
                "%,d clips of %d frames in %.3f s on %d thread%s, chunks of %d",
                clips, frames, seconds(), threads, threads == 1 ? "" : "s", chunk);
    }
}
