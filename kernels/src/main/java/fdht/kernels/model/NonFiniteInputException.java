package fdht.kernels.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A clip holds NaN or infinity and the model rejects it ({@link
 * fdht.kernels.lstm.Lstm.NonFinite#REJECT}, the default): names the clip (its index in the caller's
 * input: the batch of a {@link Predictor} call or the clips of a {@link Model#score}), the frame,
 * the index in the frame and the value. Thrown before any output of the call is written to the
 * caller's buffers or files ({@link Model#score} into caller segments excepted: they hold the
 * chunks that finished before). {@code Model.Options.withNonFinite(PROPAGATE)} computes anyway.
 *
 * <p>Under {@code REJECT} the kernels throw for a non-finite frame value naming the frame and the
 * row of their run; the model API runs chunks and staged copies, so it finds the first non-finite
 * value of the run's input itself (a pass over the input, on the failure path only). Immutable.
 */
public final class NonFiniteInputException extends IllegalArgumentException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    /** The clip's index in the caller's input. */
    private final long clip;

    /** The frame in the clip. */
    private final int frame;

    /** The value's index in the frame. */
    private final int index;

    /** NaN or an infinity. */
    private final float value;

    private NonFiniteInputException(long clip, int frame, int index, float value, Throwable cause) {
        super(
                "clip "
                        + clip
                        + ", frame "
                        + frame
                        + ": non-finite value "
                        + value
                        + " at index "
                        + index
                        + " (Model.Options.withNonFinite(PROPAGATE) computes anyway)",
                cause);
        this.clip = clip;
        this.frame = frame;
        this.index = index;
        this.value = value;
    }

    /**
     * The clip at fault.
     *
     * @return its index in the caller's input
     */
    public long clip() {
        return clip;
    }

    /**
     * The frame at fault.
     *
     * @return its index in the clip
     */
    public int frame() {
        return frame;
    }

    /**
     * Where in the frame.
     *
     * @return the value's index in the frame
     */
    public int index() {
        return index;
    }

    /**
     * The value at fault.
     *
     * @return NaN or an infinity
     */
    public float value() {
        return value;
    }

    /**
     * The exception to throw for {@code e}, thrown while running {@code batch} clips of {@code
     * frames x n} floats at the start of {@code clips}, the first being clip {@code firstClip} of
     * the caller's input: one naming the first non-finite value, or {@code e} itself when the input
     * holds none.
     */
    static RuntimeException of(
            IllegalArgumentException e,
            MemorySegment clips,
            long firstClip,
            int batch,
            int frames,
            int n) {
        long floats = (long) batch * frames * n;
        for (long i = 0; i < floats; i++) {
            float v = clips.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (!Float.isFinite(v))
                return new NonFiniteInputException(
                        firstClip + i / ((long) frames * n),
                        (int) (i / n % frames),
                        (int) (i % n),
                        v,
                        e);
        }
        return e;
    }
}
