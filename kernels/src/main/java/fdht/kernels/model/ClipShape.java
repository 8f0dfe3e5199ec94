package fdht.kernels.model;

/**
 * The one check of a clip given as arrays ({@code float[frames][n]}), for predictors and array and
 * iterator sources: an {@link IllegalArgumentException} naming the clip, the frame, what came and
 * what was expected. Builds its message only on failure (a predictor's call allocates nothing
 * else). Stateless.
 */
final class ClipShape {
    private ClipShape() {}

    /**
     * Throws unless {@code clip} is {@code frames x n}.
     *
     * @param index the clip's index in the caller's input, or -1 for a single clip
     * @param modelWidth whether {@code n} is the model's {@code N_x} (else clip 0's frame width)
     */
    static void check(float[][] clip, long index, int frames, int n, boolean modelWidth) {
        String who = index < 0 ? "" : "clip " + index;
        if (clip == null || clip.length != frames)
            throw new IllegalArgumentException(
                    (index < 0 ? "the clip" : who)
                            + " has "
                            + (clip == null ? "no array" : clip.length + " frames")
                            + ", expected "
                            + frames
                            + (index < 0 ? "" : " as clip 0 (clips of one length)"));
        for (int t = 0; t < frames; t++)
            if (clip[t] == null || clip[t].length != n)
                throw new IllegalArgumentException(
                        (index < 0 ? "" : who + ", ")
                                + "frame "
                                + t
                                + " has "
                                + (clip[t] == null ? "no array" : clip[t].length + " values")
                                + ", expected "
                                + (modelWidth ? "N_x = " + n : n + " as clip 0's first frame"));
    }
}
