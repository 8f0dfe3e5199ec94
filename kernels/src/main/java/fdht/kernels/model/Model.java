package fdht.kernels.model;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained LSTM loaded once and shared by every thread, as ONNX Runtime's {@code OrtSession}: any
 * model file fdht reads (FDHT, HT-on-{@code W_x}, TT, a dense PyTorch {@code nn.LSTM} state dict;
 * one layer or a stack, one direction or both; with or without a classification head), its class
 * labels, and three ways to run it: a {@link Predictor} per thread for single clips and batches,
 * {@link #score} for bulk scoring of many clips over all cores, and {@link #stack()} for the
 * kernels themselves.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("mfm40-fdht-r4.safetensors"));
 *         Predictor predictor = model.newPredictor()) {
 *     Prediction p = predictor.predict(clip); // float[frames][inputSize()]
 *     System.out.println(p.label() + " " + p.top(3));
 * }
 * }</pre>
 *
 * <p>Memory: {@link #load} reads the weights into native memory of an arena of its own (a few
 * kilobytes to megabytes: the file's size), which {@link #close} frees; a model made by {@link #of}
 * wraps a stack whose memory its caller owns. Thread safety: immutable and thread-safe; predictors
 * are per thread. After {@link #close} (idempotent) every use throws {@link IllegalStateException}
 * ("model NAME is closed"), and a call running on another thread at that moment fails with one.
 *
 * <p>Errors: a file fdht cannot read is a {@link ModelFileException} naming the file and the
 * tensor; a bad argument an {@link IllegalArgumentException} naming what was expected and what
 * came; asking a model without a head for classes an {@link IllegalStateException}.
 */
public final class Model implements AutoCloseable {
    /**
     * How a model runs: what a frame holding NaN or infinity does ({@link Lstm.NonFinite#REJECT},
     * the default, throws {@link IllegalArgumentException} naming the clip, frame and index before
     * any output is written; {@code PROPAGATE} computes anyway, as PyTorch does), the threads bulk
     * scoring uses (0: the available processors) and its chunk of clips (0: automatic, see {@link
     * BulkOptions#chunk}). Immutable.
     *
     * @param nonFinite the policy for non-finite input values
     * @param threads threads for {@link Model#score}, 0 for the available processors
     * @param chunk clips per chunk for {@link Model#score}, 0 for automatic
     */
    public record Options(Lstm.NonFinite nonFinite, int threads, int chunk) {
        /** Reject non-finite frames, all processors, automatic chunks. */
        public static final Options DEFAULT = new Options(Lstm.NonFinite.REJECT, 0, 0);

        /** Checks the values: a policy, counts not negative. */
        public Options {
            if (nonFinite == null)
                throw new IllegalArgumentException("nonFinite: expected REJECT or PROPAGATE");
            if (threads < 0)
                throw new IllegalArgumentException(
                        "threads " + threads + ": expected at least 1, or 0 for all processors");
            if (chunk < 0)
                throw new IllegalArgumentException(
                        "chunk " + chunk + ": expected at least 1, or 0 for automatic");
        }

        /**
         * These options with another policy for non-finite input values.
         *
         * @param policy {@code REJECT} or {@code PROPAGATE}
         * @return the new options
         */
        public Options withNonFinite(Lstm.NonFinite policy) {
            return new Options(policy, threads, chunk);
        }

        /**
         * These options with other threads for bulk scoring.
         *
         * @param threads at least 1, or 0 for the available processors
         * @return the new options
         */
        public Options withThreads(int threads) {
            return new Options(nonFinite, threads, chunk);
        }

        /**
         * These options with another chunk for bulk scoring.
         *
         * @param chunk clips per chunk, at least 1, or 0 for automatic
         * @return the new options
         */
        public Options withChunk(int chunk) {
            return new Options(nonFinite, threads, chunk);
        }
    }

    private final String name;
    private final LstmStack stack;
    private final List<String> labels;
    private final Options options;
    private final Arena arena; // null when the caller owns the stack's memory
    private volatile boolean closed;
    private volatile Boolean readableByAnyThread; // a caller's stack (of): probed at first need

    private Model(String name, LstmStack stack, List<String> labels, Options options, Arena arena) {
        this.name = name;
        this.stack = withPolicy(stack, options.nonFinite());
        this.labels = labels(stack, labels);
        this.options = options;
        this.arena = arena;
    }

    /**
     * Loads a model file with the default {@link Options}.
     *
     * @param file any model file fdht reads
     * @return the model, to be closed
     * @throws ModelFileException naming the file when it cannot be used
     */
    public static Model load(Path file) {
        return load(file, Options.DEFAULT);
    }

    /**
     * Loads a model file into an arena of the model's own.
     *
     * @param file any model file fdht reads
     * @param options how it runs
     * @return the model, to be closed
     * @throws ModelFileException naming the file when it cannot be used
     */
    public static Model load(Path file, Options options) {
        if (options == null) throw new IllegalArgumentException("options: expected Options");
        Arena arena = Arena.ofShared();
        try {
            LstmStack stack = LstmModelFile.readStack(file, arena);
            String fileName =
                    file.getFileName() == null ? file.toString() : file.getFileName().toString();
            String name =
                    fileName.endsWith(".safetensors")
                            ? fileName.substring(0, fileName.length() - ".safetensors".length())
                            : fileName;
            return new Model(
                    name,
                    stack,
                    LstmModelFile.readLabels(file, stack.headClasses()),
                    options,
                    arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Wraps a stack already built (tests, the trainer), with the default {@link Options}. The
     * stack's memory stays its caller's: {@link #close} only marks this model closed, and the
     * stack's arena decides which threads may run it (one confined to the caller keeps predictors
     * on that thread and bulk scoring on it alone).
     *
     * @param stack the layers and head
     * @param labels {@code C} class names, or an empty list for "0".."C-1"
     * @return the model
     */
    public static Model of(LstmStack stack, List<String> labels) {
        return of(stack, labels, Options.DEFAULT);
    }

    /**
     * As {@link #of(LstmStack, List)}, with options.
     *
     * @param stack the layers and head
     * @param labels {@code C} class names, or an empty list for "0".."C-1"
     * @param options how it runs
     * @return the model
     */
    public static Model of(LstmStack stack, List<String> labels, Options options) {
        if (stack == null) throw new IllegalArgumentException("stack: expected an LstmStack");
        if (options == null) throw new IllegalArgumentException("options: expected Options");
        return new Model("in-memory model", stack, labels, options, null);
    }

    private static LstmStack withPolicy(LstmStack stack, Lstm.NonFinite policy) {
        Lstm[][] layers = new Lstm[stack.layerCount()][stack.directions()];
        for (int l = 0; l < layers.length; l++)
            for (int d = 0; d < layers[l].length; d++)
                layers[l][d] = stack.layer(l, d).withNonFinite(policy);
        return LstmStack.of(layers, stack.head().orElse(null));
    }

    private static List<String> labels(LstmStack stack, List<String> given) {
        int classes = stack.headClasses();
        if (given == null || given.isEmpty()) {
            List<String> numbered = new ArrayList<>(classes);
            for (int c = 0; c < classes; c++) numbered.add(Integer.toString(c));
            return List.copyOf(numbered);
        }
        if (given.size() != classes)
            throw new IllegalArgumentException(
                    given.size()
                            + " labels given, expected one per class of the head: "
                            + classes
                            + (classes == 0 ? " (the model has no head)" : ""));
        for (int c = 0; c < given.size(); c++)
            if (given.get(c) == null)
                throw new IllegalArgumentException("label " + c + " is null, expected a name");
        return List.copyOf(given);
    }

    /**
     * Whether threads other than the caller can read the weights: always for a loaded model (its
     * arena is shared); for a stack wrapped by {@link #of}, probed once by running one zero frame
     * on another thread (a confined arena of the caller's refuses it), so that bulk scoring keeps
     * such a model on the calling thread instead of failing on its helpers.
     */
    boolean readableByAnyThread() {
        if (arena != null) return true;
        Boolean known = readableByAnyThread;
        if (known == null) readableByAnyThread = known = probe();
        return known;
    }

    private boolean probe() {
        boolean[] readable = {true};
        Thread t =
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    try (Arena a = Arena.ofConfined()) {
                                        stack.run(
                                                Weights.floats(a, stack.inputSize()),
                                                1,
                                                stack.newWorkspace(1, 1, a),
                                                null,
                                                null);
                                    } catch (WrongThreadException e) {
                                        readable[0] = false;
                                    } catch (RuntimeException e) {
                                        // another problem: the scoring itself will report it
                                    }
                                });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return readable[0];
    }

    /** Throws {@link IllegalStateException} once the model is closed. */
    void requireOpen() {
        if (closed) throw new IllegalStateException("model " + name + " is closed");
    }

    /** Throws {@link IllegalStateException} when the model has no head. */
    void requireHead(String asked) {
        if (!hasHead())
            throw new IllegalStateException(
                    "model "
                            + name
                            + " has no head: "
                            + asked
                            + " needs a classifier (head.weight, head.bias); ask for hidden states"
                            + " instead");
    }

    /**
     * Its name.
     *
     * @return the file name without {@code .safetensors}, or "in-memory model" for {@link #of}
     */
    public String name() {
        return name;
    }

    /**
     * The values in one frame.
     *
     * @return {@code N_x}
     */
    public int inputSize() {
        return stack.inputSize();
    }

    /**
     * The hidden size of every layer and direction.
     *
     * @return {@code H}
     */
    public int hiddenSize() {
        return stack.hiddenSize();
    }

    /**
     * The layers.
     *
     * @return {@code L}
     */
    public int layers() {
        return stack.layerCount();
    }

    /**
     * The directions.
     *
     * @return {@code D}: 1, or 2 for a bidirectional model
     */
    public int directions() {
        return stack.directions();
    }

    /**
     * The width of one output frame and of the head's input.
     *
     * @return {@code D*H}
     */
    public int outputSize() {
        return stack.outputSize();
    }

    /**
     * The head's classes.
     *
     * @return {@code C}, 0 without a head
     */
    public int classes() {
        return stack.headClasses();
    }

    /**
     * Whether the model has a classification head.
     *
     * @return true with a head
     */
    public boolean hasHead() {
        return stack.headClasses() > 0;
    }

    /**
     * The class names: the model file's ({@code fdht.labels}, docs/FORMAT.md) or {@link #of}'s.
     *
     * @return one per class ("0".."C-1" when none were given; empty without a head)
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * Weights of every LSTM layer and direction.
     *
     * @return floats, biases included, head excluded
     */
    public long parameterCount() {
        return stack.parameterCount();
    }

    /**
     * Weights of the head.
     *
     * @return {@code C x D*H + C}, 0 without a head
     */
    public long headParameterCount() {
        return hasHead() ? (long) classes() * outputSize() + classes() : 0;
    }

    /**
     * Whether clips can be fed frame by frame.
     *
     * @return true for one direction; a bidirectional model reads the whole clip before its first
     *     output
     */
    public boolean streamable() {
        return stack.directions() == 1;
    }

    /**
     * One layer's format: FDHT, HT-on-{@code W_x}, TT or dense, with its shapes, ranks and plan.
     *
     * @param layer {@code 0..layers()-1}
     * @param direction 0 forward, 1 reverse ({@code 0..directions()-1})
     * @return the layer's format
     */
    public LayerFormat format(int layer, int direction) {
        if (layer < 0 || layer >= layers() || direction < 0 || direction >= directions())
            throw new IllegalArgumentException(
                    "layer "
                            + layer
                            + ", direction "
                            + direction
                            + ": expected a layer in 0.."
                            + (layers() - 1)
                            + " and a direction in 0.."
                            + (directions() - 1));
        return stack.layer(layer, direction).format();
    }

    /**
     * The options it runs with.
     *
     * @return its options
     */
    public Options options() {
        return options;
    }

    /**
     * One line: name, layers and formats, sizes, weights and classes.
     *
     * @return the description
     */
    public String describe() {
        return String.format(
                "%s: %s; N_x %,d, H %,d, %,d LSTM weights%s",
                name,
                stack.describe(),
                inputSize(),
                hiddenSize(),
                parameterCount(),
                hasHead()
                        ? String.format(", head %,d weights", headParameterCount())
                        : ", no head");
    }

    /**
     * The kernels' stack under this model, for low-level users (docs/OVERVIEW.md): its memory lives
     * as long as the model is open, and its layers reject or propagate non-finite frames as {@link
     * Options#nonFinite} says.
     *
     * @return the stack
     */
    public LstmStack stack() {
        requireOpen();
        return stack;
    }

    /**
     * A predictor for the calling thread, growing its buffers on demand.
     *
     * @return the predictor, to be closed
     */
    public Predictor newPredictor() {
        return newPredictor(PredictOptions.DEFAULT);
    }

    /**
     * A predictor for the calling thread whose buffers are made now; larger batches and longer
     * clips are refused.
     *
     * @param maxBatch the largest batch, at least 1
     * @param maxFrames the longest clip, at least 1
     * @return the predictor, to be closed
     */
    public Predictor newPredictor(int maxBatch, int maxFrames) {
        return newPredictor(PredictOptions.DEFAULT.withFixedSize(maxBatch, maxFrames));
    }

    /**
     * A predictor for the calling thread, as {@code options} say.
     *
     * @param options whether it keeps hidden states and whether its buffers are fixed
     * @return the predictor, to be closed
     */
    public Predictor newPredictor(PredictOptions options) {
        requireOpen();
        if (options == null) throw new IllegalArgumentException("options: expected PredictOptions");
        return new Predictor(this, stack, options);
    }

    /**
     * A sequence batcher over this model: many live streams fed a frame at a time, their frames
     * stepped together (see {@link SequenceBatcher}). Its stepper threads start now.
     *
     * @param options its limits, delays, outputs and threads
     * @return the batcher, to be closed (drains) or shut down
     * @throws IllegalArgumentException for a bidirectional model (it cannot stream) or a stack
     *     confined to one thread
     * @throws IllegalStateException for logits from a model without a head
     */
    public SequenceBatcher newBatcher(SequenceBatcher.Options options) {
        requireOpen();
        if (options == null)
            throw new IllegalArgumentException("options: expected SequenceBatcher.Options");
        return new SequenceBatcher(this, stack, options);
    }

    /**
     * What logits computed elsewhere say (a {@link ResultSink}'s chunk, a logits file): their
     * softmax, top class and labels, as a {@link Predictor}'s prediction would.
     *
     * @param logits the head's {@code C} logits (copied)
     * @return their prediction
     */
    public Prediction prediction(float[] logits) {
        requireHead("a prediction");
        if (logits == null || logits.length != classes())
            throw new IllegalArgumentException(
                    (logits == null ? "no logits" : logits.length + " logits")
                            + ", expected one per class: "
                            + classes());
        return new Prediction(name, logits.clone(), null, labels);
    }

    /**
     * Scores every clip of a source (see {@link BulkOptions} for what comes back where): chunks of
     * clips, each through all its frames and layers before the next, spread over threads. Blocks
     * until done; the outputs in input order.
     *
     * @param source the clips, {@code N_x} values a frame
     * @param options threads, chunk, outputs and their destinations
     * @return what was done, and the logits when they had no other destination
     * @throws NonFiniteInputException naming the first clip (by chunk) that holds NaN or infinity
     *     under {@code REJECT}; no output file is then written
     * @throws ModelFileException for an input or output file that cannot be used
     */
    public BulkScores score(ClipSource source, BulkOptions options) {
        requireOpen();
        return BulkScoring.run(this, stack, source, options, null);
    }

    /**
     * As {@link #score(ClipSource, BulkOptions)}, handing each chunk's outputs to {@code sink} in
     * input order (one chunk at a time) instead of keeping them.
     *
     * @param source the clips, {@code N_x} values a frame
     * @param options threads, chunk, outputs and their other destinations
     * @param sink receives every chunk's outputs, in order
     * @return what was done (no logits: the sink had them)
     */
    public BulkScores score(ClipSource source, BulkOptions options, ResultSink sink) {
        requireOpen();
        if (sink == null) throw new IllegalArgumentException("sink: expected a ResultSink");
        return BulkScoring.run(this, stack, source, options, sink);
    }

    /** Frees the weights (a model from {@link #load}); idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (arena != null) arena.close();
    }

    @Override
    public String toString() {
        return closed ? "model " + name + " (closed)" : describe();
    }
}
