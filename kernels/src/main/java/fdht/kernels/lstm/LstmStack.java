package fdht.kernels.lstm;

import fdht.kernels.Kernels;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A PyTorch {@code nn.LSTM(num_layers = L, bidirectional = D == 2)} with an optional linear head,
 * as {@code L x D} {@link Lstm} layers, each with its own weights in its own format (an FDHT layer:
 * its own HT tensor over {@code [x_l ; h_l]}, its own factors and ranks).
 *
 * <ul>
 *   <li>Layer 0 reads the clip ({@code N_x} wide); layer {@code l > 0} reads layer {@code l-1}'s
 *       output sequence ({@code D*H} wide).
 *   <li>Direction 0 reads frames {@code 0..T-1}; direction 1 reads them backwards, {@code T-1..0}.
 *       The output at frame {@code t} is {@code [h_fwd(t) ; h_rev(t)]} ({@code [B, T, D*H]}, as
 *       PyTorch's {@code output}), where {@code h_rev(t)} is the reverse direction's state after it
 *       read frames {@code T-1..t}.
 *   <li>The head reads the last layer's output at the last frame, {@code output[:, -1, :]} ({@code
 *       D*H} wide): for the reverse direction that is its state after reading only frame {@code
 *       T-1}, exactly what {@code head(output[:, -1])} sees in PyTorch.
 *   <li>Every layer and direction starts from {@code h = c = 0} for each clip (PyTorch's default
 *       {@code (h_0, c_0)}).
 * </ul>
 *
 * A one-layer, one-direction stack computes what its single {@link Lstm} computes.
 *
 * <p>Cost: one pass of every layer over the clip; a run allocates nothing on the heap (all buffers
 * are in the {@link Workspace}). Immutable and thread-safe; each thread brings its own workspace.
 */
public final class LstmStack {
    private final Lstm[][] layers; // [layer][direction], without heads
    private final DenseHead head;

    private LstmStack(Lstm[][] layers, DenseHead head) {
        this.layers = layers;
        this.head = head;
    }

    /**
     * {@code layers[l][d]}: {@code L >= 1} layers of {@code D} = 1 or 2 directions, all of one
     * hidden size {@code H}, layer {@code l > 0} taking {@code D*H} inputs; {@code head} (null for
     * none) reads {@code D*H}. The layers' own heads, if any, are dropped.
     */
    public static LstmStack of(Lstm[][] layers, DenseHead head) {
        if (layers.length < 1)
            throw new IllegalArgumentException("a stack needs at least one layer");
        int directions = layers[0].length;
        if (directions != 1 && directions != 2)
            throw new IllegalArgumentException(
                    "layer 0 has " + directions + " directions, not 1 or 2");
        int hidden = layers[0][0].hiddenSize();
        Lstm[][] copy = new Lstm[layers.length][directions];
        for (int l = 0; l < layers.length; l++) {
            if (layers[l].length != directions)
                throw new IllegalArgumentException(
                        "layer "
                                + l
                                + " has "
                                + layers[l].length
                                + " directions but layer 0 has "
                                + directions);
            for (int d = 0; d < directions; d++) {
                Lstm cell = layers[l][d];
                String name = name(l, d);
                if (cell.hiddenSize() != hidden)
                    throw new IllegalArgumentException(
                            name
                                    + " has H = "
                                    + cell.hiddenSize()
                                    + " but layer 0 has H = "
                                    + hidden);
                int need = l == 0 ? layers[0][0].inputSize() : directions * hidden;
                if (cell.inputSize() != need)
                    throw new IllegalArgumentException(
                            name
                                    + " takes "
                                    + cell.inputSize()
                                    + " inputs but "
                                    + (l == 0
                                            ? "layer 0's forward direction takes "
                                            : "the layer below gives D*H = ")
                                    + need);
                copy[l][d] = cell.withoutHead();
            }
        }
        if (head != null && head.hidden() != directions * hidden)
            throw new IllegalArgumentException(
                    "head reads "
                            + head.hidden()
                            + " values but the last output is D*H = "
                            + directions * hidden);
        return new LstmStack(copy, head);
    }

    /**
     * One layer, one direction: the stack that computes what {@code lstm} computes, its head
     * included.
     */
    public static LstmStack single(Lstm lstm) {
        return of(new Lstm[][] {{lstm}}, lstm.head().orElse(null));
    }

    /** "layer l" or "layer l reverse", for messages. */
    public static String name(int layer, int direction) {
        return "layer " + layer + (direction == 1 ? " reverse" : "");
    }

    public int layerCount() {
        return layers.length;
    }

    public int directions() {
        return layers[0].length;
    }

    public int inputSize() {
        return layers[0][0].inputSize();
    }

    public int hiddenSize() {
        return layers[0][0].hiddenSize();
    }

    /** {@code D*H}: the width of one output frame and of the head's input. */
    public int outputSize() {
        return directions() * hiddenSize();
    }

    /** Layer {@code l}, direction {@code d} (0 forward, 1 reverse), without a head. */
    public Lstm layer(int l, int d) {
        return layers[l][d];
    }

    public Optional<DenseHead> head() {
        return Optional.ofNullable(head);
    }

    /** The head's classes, 0 without a head. */
    public int headClasses() {
        return head == null ? 0 : head.classes();
    }

    /** Whether this stack is one layer of one direction (which a version-1 model file holds). */
    public boolean isSingle() {
        return layers.length == 1 && layers[0].length == 1;
    }

    /** The single layer with the head, when {@link #isSingle()}. */
    public Lstm asSingle() {
        if (!isSingle())
            throw new IllegalStateException(
                    "a stack of "
                            + layers.length
                            + " layers and "
                            + directions()
                            + " directions is not one layer");
        return head == null ? layers[0][0] : layers[0][0].withHead(head);
    }

    /** Weights stored in all layers, head excluded (floats). */
    public long parameterCount() {
        long p = 0;
        for (Lstm[] l : layers) for (Lstm c : l) p += c.parameterCount();
        return p;
    }

    /** This stack with every layer run by other kernels. */
    public LstmStack withKernels(Kernels kernels) {
        return map(c -> c.withKernels(kernels));
    }

    private LstmStack map(java.util.function.UnaryOperator<Lstm> f) {
        Lstm[][] out = new Lstm[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            out[l] = new Lstm[layers[l].length];
            for (int d = 0; d < out[l].length; d++) out[l][d] = f.apply(layers[l][d]);
        }
        return new LstmStack(out, head);
    }

    /**
     * One line for reports: "FDHT-LSTM of 2 layers, bidirectional, head 5 classes" (each layer's
     * format: see {@link #layer}).
     */
    public String describe() {
        if (isSingle()) return asSingle().describe();
        java.util.TreeSet<String> kinds = new java.util.TreeSet<>();
        for (Lstm[] l : layers) for (Lstm c : l) kinds.add(c.format().name());
        return String.join("/", kinds)
                + "-LSTM of "
                + layers.length
                + " layer"
                + (layers.length == 1 ? "" : "s")
                + (directions() == 2 ? ", bidirectional" : "")
                + " (each layer and direction its own weights)"
                + (head == null ? "" : ", head " + head.classes() + " classes");
    }

    public Workspace newWorkspace(int batch, int maxFrames, Arena arena) {
        return new Workspace(this, batch, maxFrames, arena);
    }

    /**
     * Per-thread buffers for running this stack on batches of {@code batch} clips of at most {@code
     * maxFrames} frames: a state and workspace per layer and direction, two output sequences {@code
     * [B][T][D*H]} (a layer reads one and writes the other) and the head's input. Not thread-safe:
     * one per thread.
     */
    public static final class Workspace {
        final LstmStack stack;
        final int batch, maxFrames;
        final LstmState[][] states;
        final LstmWorkspace[][] work;
        final MemorySegment[] sequences = new MemorySegment[2];
        final MemorySegment last;

        Workspace(LstmStack stack, int batch, int maxFrames, Arena arena) {
            if (batch < 1 || maxFrames < 1)
                throw new IllegalArgumentException(
                        "workspace for batch " + batch + " and " + maxFrames + " frames");
            this.stack = stack;
            this.batch = batch;
            this.maxFrames = maxFrames;
            int layers = stack.layerCount(), directions = stack.directions();
            states = new LstmState[layers][directions];
            work = new LstmWorkspace[layers][directions];
            for (int l = 0; l < layers; l++) {
                for (int d = 0; d < directions; d++) {
                    states[l][d] = stack.layers[l][d].newState(batch, arena);
                    work[l][d] = stack.layers[l][d].newWorkspace(batch, arena);
                }
            }
            long seq = (long) batch * maxFrames * stack.outputSize();
            sequences[0] = Weights.floats(arena, seq);
            sequences[1] = layers > 1 ? Weights.floats(arena, seq) : sequences[0];
            last = Weights.floats(arena, (long) batch * stack.outputSize());
        }

        public int batch() {
            return batch;
        }

        public int maxFrames() {
            return maxFrames;
        }
    }

    /**
     * Runs a batch of clips {@code [b][t][N_x]} of {@code frames} frames, every layer from zero
     * state. When {@code output} is not null it receives the last layer's output {@code
     * [b][t][D*H]}; when {@code logits} is not null, the head's logits {@code [b][C]} for {@code
     * output[:, T-1, :]}.
     */
    public void run(
            MemorySegment clip,
            int frames,
            Workspace ws,
            MemorySegment output,
            MemorySegment logits) {
        run(clip, 0, frames, ws, output, 0, logits, 0);
    }

    /**
     * Whether {@code other} has this stack's layers and weights (this stack with other kernels or
     * policy, say), so its workspace fits.
     */
    private boolean sharesWeights(LstmStack other) {
        if (other == this) return true;
        if (other.layers.length != layers.length || other.directions() != directions())
            return false;
        for (int l = 0; l < layers.length; l++) {
            for (int d = 0; d < layers[l].length; d++)
                if (other.layers[l][d].projection() != layers[l][d].projection()) return false;
        }
        return true;
    }

    /**
     * As {@link #run(MemorySegment, int, Workspace, MemorySegment, MemorySegment)}, each buffer
     * from the given float offset on (a slice of a larger batch).
     */
    void run(
            MemorySegment clip,
            long clipOff,
            int frames,
            Workspace ws,
            MemorySegment output,
            long outputOff,
            MemorySegment logits,
            long logitsOff) {
        if (!sharesWeights(ws.stack))
            throw new IllegalArgumentException("workspace belongs to another stack");
        if (frames > ws.maxFrames)
            throw new IllegalArgumentException(
                    "frames " + frames + " outside 1.." + ws.maxFrames + " (the workspace's)");
        int batch = ws.batch, width = outputSize();
        ClipSizes.requireClip(clip, clipOff, batch, frames, inputSize());
        long outFloats = (long) batch * frames * width;
        ClipSizes.requireOutput("output", output, outputOff, outFloats);
        if (logits != null) {
            if (head == null) throw new IllegalStateException("this LSTM has no head");
            ClipSizes.requireOutput(
                    "logits buffer", logits, logitsOff, (long) batch * head.classes());
        }
        MemorySegment in = clip;
        long inOff = clipOff;
        for (int l = 0; l < layers.length; l++) {
            MemorySegment out = ws.sequences[l % 2];
            for (int d = 0; d < layers[l].length; d++) {
                LstmState state = ws.states[l][d];
                state.reset();
                layers[l][d].runInto(
                        in,
                        inOff,
                        frames,
                        d == 1,
                        state,
                        ws.work[l][d],
                        out,
                        0,
                        width,
                        d * hiddenSize());
            }
            in = out;
            inOff = 0;
        }
        if (output != null)
            MemorySegment.copy(in, 0, output, outputOff * Float.BYTES, outFloats * Float.BYTES);
        if (logits != null) {
            for (int b = 0; b < batch; b++) {
                MemorySegment.copy(
                        in,
                        (((long) b * frames + frames - 1) * width) * Float.BYTES,
                        ws.last,
                        (long) b * width * Float.BYTES,
                        (long) width * Float.BYTES);
            }
            head.apply(ws.last, batch, logits, logitsOff, layers[0][0].kernels());
        }
    }
}
