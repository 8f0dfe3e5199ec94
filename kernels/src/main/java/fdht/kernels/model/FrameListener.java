package fdht.kernels.model;

import java.lang.foreign.MemorySegment;

/**
 * Receives what a {@link SequenceBatcher} computes for one stream: every frame's output in the
 * order the frames were pushed, then exactly one of {@link #onEnd}, {@link #onError}, {@link
 * #onExpired} or {@link #onDropped}, after which the stream is gone and its id free again.
 *
 * <p>A callback rather than a future per push: a future is an object per frame (the batcher
 * allocates nothing per frame), and a stream's outputs are ordered anyway. Callbacks run on one of
 * the batcher's stepper threads (or, for {@link #onDropped}, the thread calling {@link
 * SequenceBatcher#shutdownNow()}), never two at once for one stream; they should be short (the
 * stepper's next batch waits for them) and must not block on the batcher. Buffers are valid only
 * during the call: copy what you keep. A callback that throws ends its stream as if it had failed
 * ({@link #onError} once, with the throw as the cause); the other streams never notice.
 */
public interface FrameListener {
    /**
     * One frame's output.
     *
     * @param sequenceId the stream's id
     * @param frameIndex 0 for its first frame, in push order
     * @param logits the head's {@code C} logits, or null when the batcher's outputs have none
     * @param hidden the last layer's {@code H} outputs, or null when the batcher's outputs have
     *     none
     * @param last whether the frame was pushed as the stream's last (then {@link #onEnd} follows)
     */
    void onOutput(
            long sequenceId,
            long frameIndex,
            MemorySegment logits,
            MemorySegment hidden,
            boolean last);

    /**
     * The stream ended normally: its last frame's output or its {@code end()} came, its slot is
     * free.
     *
     * @param sequenceId the stream's id
     * @param frames the frames it stepped
     */
    default void onEnd(long sequenceId, long frames) {}

    /**
     * A frame failed (wrong size, NaN or infinity, or a callback of this listener threw): the
     * stream ended after the outputs of the frames before it; frames after it are not run.
     *
     * @param sequenceId the stream's id
     * @param frameIndex the failing frame's index
     * @param error what was wrong
     */
    void onError(long sequenceId, long frameIndex, RuntimeException error);

    /**
     * The stream pushed nothing for the batcher's idle timeout with nothing waiting, and was ended
     * to free its slot (Triton's {@code max_sequence_idle_microseconds}).
     *
     * @param sequenceId the stream's id
     */
    default void onExpired(long sequenceId) {}

    /**
     * {@link SequenceBatcher#shutdownNow()} ended the stream, refusing the frames it had waiting.
     *
     * @param sequenceId the stream's id
     * @param frames the frames pushed and never run (0 when none waited)
     */
    default void onDropped(long sequenceId, long frames) {}
}
