package fdht.kernels.lstm;

import fdht.kernels.KernelOptions;
import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.layout.ContractionPlan;
import fdht.layout.HtMatrix;
import fdht.layout.PlanFactors;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * One LSTM layer (PyTorch gate order i, f, g, o) whose gate projection is stored in one of fdht's
 * formats, with an optional dense classification head:
 *
 * <pre>
 *   z = W [x_t ; h_{t-1}] + b      i, f, o = sigmoid(z_i, z_f, z_o)   g = tanh(z_g)
 *   c_t = f * c_{t-1} + i * g      h_t = o * tanh(c_t)
 * </pre>
 *
 * Immutable and safe to share between threads; each thread brings its own {@link LstmState} and
 * {@link LstmWorkspace}. A step allocates nothing on the heap.
 */
public final class Lstm {
    /** What a step does with NaN or infinity in an input frame. */
    public enum NonFinite {
        /**
         * Throw {@link IllegalArgumentException} naming the frame row and index, before the state
         * changes (the default; costs a check of the 4H gate sums, and a pass over the frame only
         * when one is bad).
         */
        REJECT,
        /** Compute anyway: the non-finite values propagate into h and c, as in PyTorch. */
        PROPAGATE
    }

    private final GateProjection projection;
    private final MemorySegment bias;
    private final DenseHead head;
    private final Kernels kernels;
    private final NonFinite nonFinite;

    private Lstm(
            GateProjection projection,
            MemorySegment bias,
            DenseHead head,
            Kernels kernels,
            NonFinite nonFinite) {
        this.projection = projection;
        this.bias = bias;
        this.head = head;
        this.kernels = kernels;
        this.nonFinite = nonFinite;
    }

    /**
     * FDHT-LSTM: one HT matrix ({@code 4H x prod n_k >= N_x + H}) over {@code [x ; h ; 0]}; {@code
     * bias} is {@code b_ih + b_hh} ({@code 4H}).
     */
    public static Lstm fdht(HtMatrix w, int inputSize, float[] bias, Arena arena) {
        return planned(new LayerFormat.Fdht(w.format(), inputSize), w, null, bias, arena);
    }

    /** Dense LSTM over {@code [W_ih W_hh]} given as one {@code 4H x (N_x + H)} native matrix. */
    public static Lstm dense(
            MemorySegment w, int inputSize, int hidden, float[] bias, Arena arena) {
        return of(new DenseProjection(new GateMatrix(w, inputSize, hidden)), bias, arena);
    }

    /** HT on {@code W_x} only, dense {@code W_h} ({@code 4H x H} native). */
    public static Lstm htInput(
            HtMatrix wx, MemorySegment wh, int inputSize, float[] bias, Arena arena) {
        return planned(new LayerFormat.HtInput(wx.format(), inputSize), wx, wh, bias, arena);
    }

    /** One TT matrix over {@code [x ; h ; 0]}, contracted in TIE's order. */
    public static Lstm tt(TtMatrix w, int inputSize, float[] bias, Arena arena) {
        return planned(new LayerFormat.Tt(w.format(), inputSize), w, null, bias, arena);
    }

    /**
     * TT-LSTM as published (the TIE workload): TT on {@code W_x} only, dense {@code W_h} ({@code 4H
     * x H} native).
     */
    public static Lstm ttInput(
            TtMatrix wx, MemorySegment wh, int inputSize, float[] bias, Arena arena) {
        return planned(new LayerFormat.TtInput(wx.format(), inputSize), wx, wh, bias, arena);
    }

    /**
     * Any planned format: {@code weights} of its matrix, {@code wh} its dense {@code W_h} ({@code
     * 4H x H} native) when the matrix covers {@code x} alone, else null.
     */
    public static Lstm planned(
            LayerFormat.Planned format,
            PlanFactors weights,
            MemorySegment wh,
            float[] bias,
            Arena arena) {
        return of(new PlannedProjection(format, weights, wh), bias, arena);
    }

    /** Any projection, with the JVM's kernels. */
    public static Lstm of(GateProjection projection, float[] bias, Arena arena) {
        int fourH = 4 * projection.hiddenSize();
        if (bias.length != fourH)
            throw new IllegalArgumentException(
                    "bias needs 4H = " + fourH + " values, got " + bias.length);
        requireFinite(bias, "bias");
        return new Lstm(
                projection,
                Weights.copyOf(arena, bias),
                null,
                KernelProvider.kernels(),
                NonFinite.REJECT);
    }

    /** This layer with a classification head on the last hidden state. */
    public Lstm withHead(DenseHead head) {
        if (head.hidden() != hiddenSize())
            throw new IllegalArgumentException(
                    "head expects H = " + head.hidden() + " but the LSTM has H = " + hiddenSize());
        return new Lstm(projection, bias, head, kernels, nonFinite);
    }

    /** This layer without its head (a layer of a {@link LstmStack}, whose head is the stack's). */
    Lstm withoutHead() {
        return head == null ? this : new Lstm(projection, bias, null, kernels, nonFinite);
    }

    /** This layer run by other kernels (the scalar reference, say). */
    public Lstm withKernels(Kernels other) {
        return new Lstm(projection, bias, head, other, nonFinite);
    }

    /** This layer with another policy for non-finite inputs. */
    public Lstm withNonFinite(NonFinite policy) {
        return new Lstm(projection, bias, head, kernels, policy);
    }

    static void requireFinite(float[] v, String what) {
        for (int e = 0; e < v.length; e++) {
            if (!Float.isFinite(v[e]))
                throw new IllegalArgumentException(
                        what + " has a non-finite value " + v[e] + " at index " + e);
        }
    }

    public GateProjection projection() {
        return projection;
    }

    /** The layer's format and shapes. */
    public LayerFormat format() {
        return projection.format();
    }

    /**
     * The HT matrix a step contracts (an FDHT layer's over {@code [x ; h]}, HT-input's over {@code
     * x}); empty for the formats without one.
     */
    public Optional<HtMatrix> htWeights() {
        return projection instanceof PlannedProjection p && p.weights() instanceof HtMatrix m
                ? Optional.of(m)
                : Optional.empty();
    }

    /** The contraction plan a step runs for {@code batch} rows; empty for dense. */
    public Optional<ContractionPlan> plan(int batch) {
        return format() instanceof LayerFormat.Planned p
                ? Optional.of(p.plan(batch))
                : Optional.empty();
    }

    /** {@code b_ih + b_hh}, {@code 4H} floats, copied. */
    public float[] biasToArray() {
        return Weights.toArray(bias, 0, 4 * hiddenSize());
    }

    public Optional<DenseHead> head() {
        return Optional.ofNullable(head);
    }

    public Kernels kernels() {
        return kernels;
    }

    public int inputSize() {
        return projection.inputSize();
    }

    public int hiddenSize() {
        return projection.hiddenSize();
    }

    /** Weights stored, head excluded (floats). */
    public long parameterCount() {
        return projection.parameterCount() + 4L * hiddenSize();
    }

    /**
     * Weights of the dense layer of this shape, {@code 4H (N_x + H) + 4H}: what a compressed layer
     * is measured against.
     */
    public long denseParameterCount() {
        return denseParameterCount(inputSize(), hiddenSize());
    }

    /** {@code 4H (N_x + H) + 4H}, the weights and bias of a dense LSTM layer. */
    public static long denseParameterCount(int inputSize, int hidden) {
        return 4L * hidden * ((long) inputSize + hidden) + 4L * hidden;
    }

    public LstmState newState(int batch, Arena arena) {
        return new LstmState(batch, hiddenSize(), arena);
    }

    /** A workspace for {@code batch} rows with this layer's kernels and the JVM's switches. */
    public LstmWorkspace newWorkspace(int batch, Arena arena) {
        return newWorkspace(batch, KernelProvider.options(), arena);
    }

    /**
     * A workspace for {@code batch} rows with this layer's kernels, its {@link
     * fdht.kernels.ExecutionPath} chosen from {@code options} (benchmarks and tests comparing one
     * path with another).
     */
    public LstmWorkspace newWorkspace(int batch, KernelOptions options, Arena arena) {
        return new LstmWorkspace(this, batch, options, arena);
    }

    /**
     * One time step for a batch: frame row {@code b} at {@code x[xOff + b*xStride ..]} ({@code N_x}
     * floats), state updated in place.
     */
    public void step(MemorySegment x, long xOff, long xStride, LstmState state, LstmWorkspace ws) {
        advance(x, xOff, xStride, state, ws, -1);
    }

    /** One step; {@code frame} only names the frame in errors (-1: none). */
    private void advance(
            MemorySegment x,
            long xOff,
            long xStride,
            LstmState state,
            LstmWorkspace ws,
            int frame) {
        project(x, xOff, xStride, state, ws, frame, 0);
        finish(state, ws);
    }

    /**
     * The first half of a step: {@code z = W [x ; h]} into the workspace, state untouched. Under
     * {@link NonFinite#REJECT} throws when a frame row holds NaN or infinity; {@code rowBase} is
     * added to the row named in that error (a slice of a larger batch).
     */
    void project(
            MemorySegment x,
            long xOff,
            long xStride,
            LstmState state,
            LstmWorkspace ws,
            int frame,
            int rowBase) {
        if (ws.model != this && ws.model.projection != projection)
            throw new IllegalArgumentException("workspace belongs to another model");
        if (state.batch() != ws.batch)
            throw new IllegalArgumentException(
                    "state has batch " + state.batch() + " but workspace has batch " + ws.batch);
        if (state.hidden() != hiddenSize())
            throw new IllegalArgumentException(
                    "state has H = " + state.hidden() + " but the model has H = " + hiddenSize());
        if (!x.isNative())
            throw new IllegalArgumentException("input frames must be a native segment");
        long lastRowEnd = xOff + (long) (ws.batch - 1) * xStride + inputSize();
        if (xOff < 0
                || xStride < inputSize() && ws.batch > 1
                || lastRowEnd * Float.BYTES > x.byteSize()) {
            throw new IllegalArgumentException(
                    "input of "
                            + x.byteSize() / Float.BYTES
                            + " floats does not hold "
                            + ws.batch
                            + " rows of N_x = "
                            + inputSize()
                            + " from offset "
                            + xOff
                            + " with stride "
                            + xStride);
        }
        projection.project(x, xOff, xStride, state.h(), ws.z, ws.projection, kernels);
        // Every z value depends on every value of its frame row (NaN * 0 is NaN; an infinity never
        // turns finite), so checking the 4H sums finds a bad frame at a fraction of a pass over it;
        // only then is the frame scanned, to name the index. z that overflowed from a finite frame
        // passes.
        if (nonFinite == NonFinite.REJECT
                && kernels.firstNonFinite(ws.z, 0, 4 * hiddenSize() * ws.batch) >= 0) {
            for (int b = 0; b < ws.batch; b++) {
                long at = xOff + b * xStride;
                int bad = kernels.firstNonFinite(x, at, inputSize());
                if (bad >= 0) {
                    throw new IllegalArgumentException(
                            (frame >= 0 ? "frame " + frame + ", " : "")
                                    + "batch row "
                                    + (rowBase + b)
                                    + ": non-finite value "
                                    + x.getAtIndex(
                                            java.lang.foreign.ValueLayout.JAVA_FLOAT, at + bad)
                                    + " at index "
                                    + bad
                                    + " (withNonFinite(PROPAGATE) computes anyway)");
                }
            }
        }
    }

    /**
     * The second half of a step: the gate arithmetic from the workspace's {@code z}, state updated
     * in place.
     */
    void finish(LstmState state, LstmWorkspace ws) {
        kernels.lstmPointwise(ws.z, 0, bias, state.c(), state.h(), hiddenSize(), ws.batch);
    }

    /**
     * Runs a clip: {@code clip} is {@code [b][t][N_x]} (batch first) with {@code frames} frames per
     * row, starting from the given state. When {@code hiddenOut} is not null it receives every
     * step's hidden state as {@code [b][t][H]}.
     */
    public void run(
            MemorySegment clip,
            int frames,
            LstmState state,
            LstmWorkspace ws,
            MemorySegment hiddenOut) {
        ClipSizes.requireClip(clip, 0, ws.batch, frames, inputSize());
        int hidden = hiddenSize();
        ClipSizes.requireOutput("hidden output", hiddenOut, 0, (long) ws.batch * frames * hidden);
        runInto(clip, 0, frames, false, state, ws, hiddenOut, 0, hidden, 0);
    }

    /**
     * Runs a clip {@code [b][t][N_x]} (from float {@code clipOff} on) forward in time, or backward
     * when {@code reverse} (frame {@code T-1} first, as the reverse direction of a bidirectional
     * LSTM reads it). When {@code out} is not null, the hidden state after frame {@code t} goes to
     * {@code out[outBase + (b*T + t)*outWidth + outOffset ..]}, {@code H} floats. Sizes checked by
     * the caller.
     */
    void runInto(
            MemorySegment clip,
            long clipOff,
            int frames,
            boolean reverse,
            LstmState state,
            LstmWorkspace ws,
            MemorySegment out,
            long outBase,
            int outWidth,
            int outOffset) {
        int hidden = hiddenSize();
        long rowStride = (long) frames * inputSize();
        for (int i = 0; i < frames; i++) {
            int t = reverse ? frames - 1 - i : i;
            advance(clip, clipOff + (long) t * inputSize(), rowStride, state, ws, t);
            if (out != null) {
                for (int b = 0; b < ws.batch; b++) {
                    MemorySegment.copy(
                            state.h(),
                            (long) b * hidden * Float.BYTES,
                            out,
                            (outBase + ((long) b * frames + t) * outWidth + outOffset)
                                    * Float.BYTES,
                            (long) hidden * Float.BYTES);
                }
            }
        }
    }

    /** The head's logits for the state's current {@code h}, {@code [b][C]}. */
    public void logits(LstmState state, MemorySegment out) {
        if (head == null) throw new IllegalStateException("this LSTM has no head");
        if (out.byteSize() < (long) state.batch() * head.classes() * Float.BYTES)
            throw new IllegalArgumentException("logits buffer too small");
        head.apply(state.h(), state.batch(), out, kernels);
    }

    public String describe() {
        return projection.describe()
                + (head == null ? "" : ", head " + head.classes() + " classes");
    }
}
