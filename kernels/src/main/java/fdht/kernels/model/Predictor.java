package fdht.kernels.model;

import fdht.kernels.lstm.LstmStack;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Runs a {@link Model} on clips for one thread, as DJL's {@code Predictor}: a clip ({@code
 * float[][]} frames x inputs, a flattened {@code float[]}, a {@code FloatBuffer} or a {@code
 * MemorySegment}) or a batch of clips of one length goes in, {@link Prediction}s (logits,
 * probabilities, top-k labels, optionally the last hidden state) come out; the zero-allocation
 * forms ({@link #logits}, {@link #hidden}, {@link #lastHidden}) write into the caller's buffers
 * instead.
 *
 * <p>Costs: one pass of every layer over the clip, every clip from zero state. A call allocates
 * only its result ({@link Prediction}: the logits and, when kept, the hidden state; a batch adds
 * its list) and nothing at all in the zero-allocation forms, once the predictor's buffers fit the
 * batch and clip length: they grow with the first larger batch or longer clip (allocation only
 * then; at most {@value Workspaces#KEPT} batch sizes are kept) or are fixed at construction ({@link
 * Model#newPredictor(int, int)}: larger ones are then refused). Heap input (arrays, heap segments
 * and buffers) is copied into a native staging buffer once per call; a native segment is read in
 * place.
 *
 * <p>Thread safety: not thread-safe; one per thread. Its buffers live in arenas confined to the
 * thread that made it: a call from another thread throws {@link IllegalStateException}, as does any
 * call after {@link #close} or after the model closed.
 *
 * <p>Errors, all thrown before anything is written to the caller's buffers: {@link
 * IllegalArgumentException} for a clip of the wrong size (naming the expected {@code frames x N_x}
 * and what came), a batch or clip beyond a fixed predictor's size, an output buffer too small, and
 * a NaN or infinite input value under {@link fdht.kernels.lstm.Lstm.NonFinite#REJECT} (naming the
 * clip, frame and index); {@link IllegalStateException} for classes asked of a model without a
 * head.
 */
public final class Predictor implements AutoCloseable {
    private final Model model;
    private final LstmStack stack;
    private final PredictOptions options;
    private final Thread owner = Thread.currentThread();
    private final Workspaces work;
    private boolean closed;

    Predictor(Model model, LstmStack stack, PredictOptions options) {
        this.model = model;
        this.stack = stack;
        this.options = options;
        this.work = new Workspaces(stack);
        if (options.fixed()) {
            work.ensure(options.maxBatch(), options.maxFrames());
            work.workspace(options.maxBatch(), options.maxFrames());
        }
    }

    /**
     * The model it runs.
     *
     * @return its model
     */
    public Model model() {
        return model;
    }

    /**
     * The options it was made with.
     *
     * @return its options
     */
    public PredictOptions options() {
        return options;
    }

    private void requireUsable() {
        if (Thread.currentThread() != owner)
            throw new IllegalStateException(
                    "this predictor belongs to thread "
                            + owner.getName()
                            + ", not "
                            + Thread.currentThread().getName()
                            + ": make one per thread (Model.newPredictor)");
        if (closed) throw new IllegalStateException("this predictor is closed");
        model.requireOpen();
    }

    private int requireFrames(int frames) {
        if (frames < 1)
            throw new IllegalArgumentException("frames " + frames + ": expected at least 1");
        return frames;
    }

    /** The checks of every call with a batch: usable, batch and frames at least 1. */
    private void begin(int batch, int frames) {
        requireUsable();
        if (batch < 1)
            throw new IllegalArgumentException("batch " + batch + ": expected at least 1");
        requireFrames(frames);
    }

    /**
     * Throws unless {@code got} values (-1: nothing given) are one clip of {@code frames} frames;
     * returns how many that is.
     */
    private long requireValues(long got, String what, int frames) {
        long need = (long) frames * stack.inputSize();
        if (got != need)
            throw new IllegalArgumentException(
                    what
                            + " holds "
                            + (got < 0 ? "nothing" : got + " values")
                            + ", expected frames x N_x = "
                            + frames
                            + " x "
                            + stack.inputSize()
                            + " = "
                            + need);
        return need;
    }

    /**
     * Makes room for {@code batch} clips of {@code frames} frames (a fixed predictor refuses more
     * than it was made for).
     */
    private void fit(int batch, int frames) {
        if (options.fixed() && (batch > options.maxBatch() || frames > options.maxFrames()))
            throw new IllegalArgumentException(
                    "a batch of "
                            + batch
                            + " clips of "
                            + frames
                            + " frames: this predictor was made for at most "
                            + options.maxBatch()
                            + " clips of at most "
                            + options.maxFrames()
                            + " frames (Model.newPredictor(maxBatch, maxFrames))");
        work.ensure(batch, frames);
    }

    // ---- one clip -------------------------------------------------------------------------

    /**
     * Classifies one clip.
     *
     * @param clip {@code frames x N_x} values
     * @return its prediction
     */
    public Prediction predict(float[][] clip) {
        requireUsable();
        if (clip == null) throw new IllegalArgumentException("clip: expected float[frames][N_x]");
        int frames = requireFrames(clip.length), n = stack.inputSize();
        ClipShape.check(clip, -1, frames, n, true);
        fit(1, frames);
        MemorySegment staging = work.staging();
        for (int t = 0; t < frames; t++)
            MemorySegment.copy(clip[t], 0, staging, ValueLayout.JAVA_FLOAT, (long) t * n * 4, n);
        return one(staging, frames);
    }

    /**
     * Classifies one clip given flattened row-major.
     *
     * @param clip exactly {@code frames x N_x} values
     * @param frames {@code T}, at least 1
     * @return its prediction
     */
    public Prediction predict(float[] clip, int frames) {
        requireUsable();
        requireFrames(frames);
        requireValues(clip == null ? -1 : clip.length, "clip array", frames);
        fit(1, frames);
        MemorySegment.copy(clip, 0, work.staging(), ValueLayout.JAVA_FLOAT, 0, clip.length);
        return one(work.staging(), frames);
    }

    /**
     * Classifies one clip read from a buffer's position on (its position is not moved; any byte
     * order; a direct buffer in native order is read in place).
     *
     * @param clip exactly {@code frames x N_x} values remaining
     * @param frames {@code T}, at least 1
     * @return its prediction
     */
    public Prediction predict(FloatBuffer clip, int frames) {
        requireUsable();
        requireFrames(frames);
        long need =
                requireValues(
                        clip == null ? -1 : clip.remaining(),
                        "clip buffer (from its position)",
                        frames);
        fit(1, frames);
        MemorySegment src = MemorySegment.ofBuffer(clip);
        if (src.isNative() && clip.order() == ByteOrder.nativeOrder()) return one(src, frames);
        MemorySegment.copy(
                src,
                ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(clip.order()),
                0,
                work.staging(),
                ValueLayout.JAVA_FLOAT,
                0,
                need);
        return one(work.staging(), frames);
    }

    /**
     * Classifies one clip in a segment (a heap segment is copied into native staging; a native one
     * is read in place).
     *
     * @param clip exactly {@code frames x N_x} floats
     * @param frames {@code T}, at least 1
     * @return its prediction
     */
    public Prediction predict(MemorySegment clip, int frames) {
        requireUsable();
        requireFrames(frames);
        return one(input(clip, 1, frames), frames);
    }

    // ---- batches --------------------------------------------------------------------------

    /**
     * Classifies a batch of clips of one length.
     *
     * @param clips {@code [B][T][N_x]}
     * @return their predictions, in order
     */
    public List<Prediction> predictBatch(float[][][] clips) {
        requireUsable();
        if (clips == null || clips.length == 0)
            throw new IllegalArgumentException("clips: expected at least one clip");
        int batch = clips.length, n = stack.inputSize();
        int frames = requireFrames(clips[0] == null ? 0 : clips[0].length);
        for (int b = 0; b < batch; b++) ClipShape.check(clips[b], b, frames, n, true);
        fit(batch, frames);
        MemorySegment staging = work.staging();
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < frames; t++)
                MemorySegment.copy(
                        clips[b][t],
                        0,
                        staging,
                        ValueLayout.JAVA_FLOAT,
                        ((long) b * frames + t) * n * 4,
                        n);
        return run(staging, batch, frames);
    }

    /**
     * Classifies a batch of clips of one length in a segment.
     *
     * @param clips exactly {@code [B][T][N_x]} floats
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @return their predictions, in order
     */
    public List<Prediction> predictBatch(MemorySegment clips, int batch, int frames) {
        begin(batch, frames);
        return run(input(clips, batch, frames), batch, frames);
    }

    // ---- zero-allocation forms ----------------------------------------------------------

    /**
     * The head's logits of a batch into an array; allocates nothing.
     *
     * @param clips exactly {@code [B][T][N_x]} floats
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @param out receives {@code [B][C]} from index 0 (at least {@code B x C} long)
     */
    public void logits(MemorySegment clips, int batch, int frames, float[] out) {
        begin(batch, frames);
        model.requireHead("logits");
        long need = (long) batch * stack.headClasses();
        if (out == null || out.length < need)
            throw new IllegalArgumentException(
                    "logits array of "
                            + (out == null ? "nothing" : out.length + " floats")
                            + ", expected at least batch x C = "
                            + need);
        compute(input(clips, batch, frames), batch, frames, false);
        MemorySegment.copy(work.logits(), ValueLayout.JAVA_FLOAT, 0, out, 0, (int) need);
    }

    /**
     * The head's logits of a batch into a segment; allocates nothing.
     *
     * @param clips exactly {@code [B][T][N_x]} floats
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @param out receives {@code [B][C]} floats from its start (any segment)
     */
    public void logits(MemorySegment clips, int batch, int frames, MemorySegment out) {
        begin(batch, frames);
        model.requireHead("logits");
        long bytes = (long) batch * stack.headClasses() * Float.BYTES;
        requireRoom(out, bytes, "logits", "batch x C");
        compute(input(clips, batch, frames), batch, frames, false);
        MemorySegment.copy(work.logits(), 0, out, 0, bytes);
    }

    /**
     * The last layer's output at every frame (PyTorch's {@code output}); allocates nothing.
     *
     * @param clips exactly {@code [B][T][N_x]} floats
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @param outSequence receives {@code [B][T][D*H]} floats from its start
     */
    public void hidden(MemorySegment clips, int batch, int frames, MemorySegment outSequence) {
        begin(batch, frames);
        long bytes = (long) batch * frames * stack.outputSize() * Float.BYTES;
        requireRoom(outSequence, bytes, "hidden sequence", "batch x frames x D*H");
        compute(input(clips, batch, frames), batch, frames, true);
        MemorySegment.copy(work.sequence(), 0, outSequence, 0, bytes);
    }

    /**
     * The last layer's output at the last frame ({@code output[:, -1]}, what the head reads);
     * allocates nothing.
     *
     * @param clips exactly {@code [B][T][N_x]} floats
     * @param batch {@code B}, at least 1
     * @param frames {@code T}, at least 1
     * @param out receives {@code [B][D*H]} floats from its start
     */
    public void lastHidden(MemorySegment clips, int batch, int frames, MemorySegment out) {
        begin(batch, frames);
        int width = stack.outputSize();
        requireRoom(out, (long) batch * width * Float.BYTES, "last hidden state", "batch x D*H");
        compute(input(clips, batch, frames), batch, frames, true);
        for (int b = 0; b < batch; b++)
            MemorySegment.copy(
                    work.sequence(),
                    ((long) b * frames + frames - 1) * width * Float.BYTES,
                    out,
                    (long) b * width * Float.BYTES,
                    (long) width * Float.BYTES);
    }

    private static void requireRoom(MemorySegment out, long bytes, String what, String shape) {
        if (out == null || out.byteSize() < bytes)
            throw new IllegalArgumentException(
                    what
                            + " segment of "
                            + (out == null ? "nothing" : out.byteSize() / Float.BYTES + " floats")
                            + ", expected at least "
                            + shape
                            + " = "
                            + bytes / Float.BYTES);
        if (out.isReadOnly()) throw new IllegalArgumentException(what + " segment is read-only");
    }

    // ---- the run --------------------------------------------------------------------------

    /**
     * The native clips to run: {@code clips} itself when native, else its copy in the staging
     * buffer; its size must be exactly {@code batch x frames x N_x} floats.
     */
    private MemorySegment input(MemorySegment clips, int batch, int frames) {
        long floats = (long) batch * frames * stack.inputSize();
        if (clips == null || clips.byteSize() != floats * Float.BYTES)
            throw new IllegalArgumentException(
                    "clip segment of "
                            + (clips == null ? "nothing" : clips.byteSize() + " bytes")
                            + ", expected batch x frames x N_x = "
                            + batch
                            + " x "
                            + frames
                            + " x "
                            + stack.inputSize()
                            + " floats = "
                            + floats * Float.BYTES
                            + " bytes");
        fit(batch, frames);
        if (clips.isNative()) return clips;
        MemorySegment.copy(clips, 0, work.staging(), 0, floats * Float.BYTES);
        return work.staging();
    }

    /** Runs the stack; the logits (when there is a head) and, when asked, the sequence. */
    private void compute(MemorySegment clips, int batch, int frames, boolean sequence) {
        LstmStack.Workspace ws = work.workspace(batch, frames);
        try {
            stack.run(
                    clips,
                    frames,
                    ws,
                    sequence ? work.sequence() : null,
                    stack.headClasses() > 0 ? work.logits() : null);
        } catch (IllegalArgumentException e) {
            throw NonFiniteInputException.of(e, clips, 0, batch, frames, stack.inputSize());
        }
    }

    /** Runs one clip: its prediction. */
    private Prediction one(MemorySegment clip, int frames) {
        compute(clip, 1, frames, keepsHidden());
        return prediction(0, frames);
    }

    /** Runs a batch: its predictions, in order. */
    private List<Prediction> run(MemorySegment clips, int batch, int frames) {
        compute(clips, batch, frames, keepsHidden());
        Prediction[] out = new Prediction[batch];
        for (int b = 0; b < batch; b++) out[b] = prediction(b, frames);
        return List.of(out);
    }

    /** Whether predictions carry the last hidden state: when asked, or when there is no head. */
    private boolean keepsHidden() {
        return options.hidden() || stack.headClasses() == 0;
    }

    /** Clip {@code b}'s prediction from the buffers of the last run. */
    private Prediction prediction(int b, int frames) {
        int classes = stack.headClasses(), width = stack.outputSize();
        float[] logits = null, last = null;
        if (classes > 0) {
            logits = new float[classes];
            MemorySegment.copy(
                    work.logits(),
                    ValueLayout.JAVA_FLOAT,
                    (long) b * classes * Float.BYTES,
                    logits,
                    0,
                    classes);
        }
        if (keepsHidden()) {
            last = new float[width];
            MemorySegment.copy(
                    work.sequence(),
                    ValueLayout.JAVA_FLOAT,
                    ((long) b * frames + frames - 1) * width * Float.BYTES,
                    last,
                    0,
                    width);
        }
        return new Prediction(model.name(), logits, last, model.labels());
    }

    /** Frees its buffers; idempotent. Only the thread that made it may close it. */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != owner)
            throw new IllegalStateException(
                    "this predictor belongs to thread " + owner.getName() + ": close it there");
        closed = true;
        work.close();
    }
}
