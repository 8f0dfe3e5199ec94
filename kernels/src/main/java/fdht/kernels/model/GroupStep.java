package fdht.kernels.model;

import fdht.kernels.ExecutionPath;
import fdht.kernels.Kernels;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One stepper's buffers for stepping a piece of a group, {@code g} streams one frame: the frames
 * {@code [g][N_x]}, each layer's state {@code [g][H]}, the head's logits {@code [g][C]}, row views
 * of the logits and of the last layer's {@code h} handed to listeners, and a workspace for {@code
 * g} rows. Where the layer runs whole chunks of lanes ({@code BATCH_LANES}) a group is stepped a
 * chunk at a time ({@link #pieceRows}), else whole. The buffers are made once for the largest
 * piece, every smaller piece using their first rows, in the stepper's own confined arena; the
 * workspaces (the plans are compiled for their batch) for every size up to a chunk when the stepper
 * starts, for whole groups the first time a group of that size is stepped. So memory is bounded and
 * the steady state allocates nothing.
 *
 * <p>A piece short of a whole chunk by few enough rows (more than {@link #PAD_ABOVE} of a chunk
 * present) is stepped as the whole chunk: the rows it lacks are zeros, stepped and ignored. On the
 * lane path a chunk of 16 rows costs what about 10 rows cost one at a time (MFM-40, batch 16
 * against batch 1: 4.55 against 7.30 us a frame, PERFORMANCE.md), and below a whole chunk every row
 * would run alone. The padding rows change nothing of the others: each row's sums are its own.
 *
 * <p>Gather and scatter copy each stream's {@code h} and {@code c} rows between the batcher's slot
 * rows and the group's contiguous state: {@code O(L*H)} per stream per frame, small beside the
 * projection, and it keeps the kernels on the contiguous batches they are tested on. Each row's
 * sums do not depend on the rows beside it ({@code DenseKernelDeterminismTest}), so a stream's
 * outputs are the bits it would get alone. Not thread-safe: one per stepper thread.
 */
final class GroupStep implements AutoCloseable {
    private final LstmStack stack;
    private final Kernels kernels;
    private final DenseHead head; // null when no logits are wanted
    private final int layers, hidden, input, classes;
    private final Arena arena = Arena.ofConfined();

    /**
     * Rows beyond the last whole chunk, as a fraction of a chunk, above which the group is padded
     * to the next chunk: 10 of 16 lanes, 5 of 8, 3 of 4 (the break-even of the costs above).
     */
    static final double PAD_ABOVE = 0.6;

    private final int lanes;
    private final int pieceRows;
    private final boolean lanePath; // the layer runs whole chunks of lanes (BATCH_LANES)

    /** The piece's buffers, for {@code pieceRows} rows: frames, each layer's state, logits. */
    private final MemorySegment x, logits;

    private final LstmState[] states;

    /** Frame rows from {@code dirty} on hold zeros (no piece wrote them since they were). */
    private int dirty;

    /** Views of the first {@code g} rows of the piece's buffers, and a workspace for {@code g}. */
    private static final class Sized {
        final MemorySegment x;
        final LstmState[] states;
        final LstmWorkspace[] work;
        final MemorySegment logits;
        final MemorySegment[] logitRows, hiddenRows;

        Sized(GroupStep s, int g, LstmWorkspace[] work) {
            this.work = work;
            x = s.x.asSlice(0, (long) g * s.input * Float.BYTES);
            states = new LstmState[s.layers];
            for (int l = 0; l < s.layers; l++) states[l] = s.states[l].rows(0, g);
            logits = s.logits == null ? null : s.logits.asSlice(0, (long) g * s.classes * 4);
            logitRows = new MemorySegment[g];
            hiddenRows = new MemorySegment[g];
            MemorySegment h = states[s.layers - 1].h();
            for (int r = 0; r < g; r++) {
                if (logits != null)
                    logitRows[r] =
                            logits.asSlice((long) r * s.classes * Float.BYTES, s.classes * 4L);
                hiddenRows[r] = h.asSlice((long) r * s.hidden * Float.BYTES, s.hidden * 4L);
            }
        }
    }

    /** Index {@code g}: the views and workspace of a piece of {@code g} rows. */
    private final Sized[] bySize;

    private Sized current;

    /**
     * Makes the buffers and a workspace for every piece size, so that the first frames are stepped
     * at the speed of the rest (made lazily, the sizes' plans compiled while the first groups
     * waited: measured, frames of the first 0.1-0.2 s of a fresh batcher waited up to 55 ms).
     */
    GroupStep(LstmStack stack, boolean logits, int maxBatch) {
        this.stack = stack;
        this.kernels = stack.layer(0, 0).kernels();
        this.head = logits ? stack.head().orElseThrow() : null;
        this.layers = stack.layerCount();
        this.hidden = stack.hiddenSize();
        this.input = stack.inputSize();
        this.classes = stack.headClasses();
        this.lanes = kernels.lanes();
        LstmWorkspace[] chunk = lanes > 1 ? workspaces(lanes) : null;
        this.lanePath = chunk != null && chunk[0].path() == ExecutionPath.BATCH_LANES;
        this.pieceRows = lanePath ? lanes : maxBatch;
        x = Weights.floats(arena, (long) pieceRows * input);
        this.logits = head == null ? null : Weights.floats(arena, (long) pieceRows * classes);
        states = new LstmState[layers];
        for (int l = 0; l < layers; l++) states[l] = stack.layer(l, 0).newState(pieceRows, arena);
        bySize = new Sized[pieceRows + 1];
        // every size up to a chunk now; on other paths (dense layers, the scalar kernels) a whole
        // group's sizes are made as they come, the chunk's workspace kept if it fits
        if (lanePath) {
            for (int g = 1; g <= lanes; g++)
                bySize[g] = new Sized(this, g, g == lanes ? chunk : workspaces(g));
        } else if (chunk != null && lanes <= pieceRows) {
            bySize[lanes] = new Sized(this, lanes, chunk);
        }
    }

    private LstmWorkspace[] workspaces(int g) {
        LstmWorkspace[] w = new LstmWorkspace[layers];
        for (int l = 0; l < layers; l++) w[l] = stack.layer(l, 0).newWorkspace(g, arena);
        return w;
    }

    /**
     * The most rows stepped at once: a whole chunk of lanes where the layer has the batch-lanes
     * path, so each chunk's frames are gathered just before its step; else a whole group.
     */
    int pieceRows() {
        return pieceRows;
    }

    /**
     * Makes {@code g <= pieceRows()} the size of the next gathers, step and scatters: rows {@code
     * 0..g-1} are gathered, stepped and read; padding rows after them, if any, are zeroed here.
     *
     * @return the rows the piece is stepped as, padding included
     */
    int size(int g) {
        if (lanePath && g < lanes && g > PAD_ABOVE * lanes) {
            current = bySize[lanes];
            pad(g);
            return lanes;
        }
        if (bySize[g] == null) bySize[g] = new Sized(this, g, workspaces(g));
        current = bySize[g];
        dirty = Math.max(dirty, g);
        return g;
    }

    /**
     * Zeros rows {@code g..} of a padded piece: their state always (the step before moved it),
     * their frame only where a piece before wrote one.
     */
    private void pad(int g) {
        long rowBytes = (long) input * Float.BYTES, stateBytes = (long) hidden * Float.BYTES;
        if (dirty > g) x.asSlice(g * rowBytes, (dirty - g) * rowBytes).fill((byte) 0);
        dirty = g;
        for (int l = 0; l < layers; l++) {
            states[l].h().asSlice(g * stateBytes, (lanes - g) * stateBytes).fill((byte) 0);
            states[l].c().asSlice(g * stateBytes, (lanes - g) * stateBytes).fill((byte) 0);
        }
    }

    /** Row {@code r}'s frame from {@code page} at float {@code off}; its state from the slots'. */
    void gather(
            int r,
            MemorySegment page,
            long off,
            MemorySegment[] slotH,
            MemorySegment[] slotC,
            int slot) {
        long bytes = (long) hidden * Float.BYTES;
        MemorySegment.copy(
                page, off * Float.BYTES, current.x, (long) r * input * Float.BYTES, input * 4L);
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(slotH[l], slot * bytes, current.states[l].h(), r * bytes, bytes);
            MemorySegment.copy(slotC[l], slot * bytes, current.states[l].c(), r * bytes, bytes);
        }
    }

    /** One frame for the whole group: every layer, then the head when logits are wanted. */
    void step() {
        Sized s = current;
        for (int l = 0; l < layers; l++) {
            if (l == 0) stack.layer(0, 0).step(s.x, 0, input, s.states[0], s.work[0]);
            else stack.layer(l, 0).step(s.states[l - 1].h(), 0, hidden, s.states[l], s.work[l]);
        }
        if (head != null)
            head.apply(s.states[layers - 1].h(), s.states[0].batch(), s.logits, kernels);
    }

    /** Row {@code r}'s new state back into the slots'. */
    void scatter(int r, MemorySegment[] slotH, MemorySegment[] slotC, int slot) {
        long bytes = (long) hidden * Float.BYTES;
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(current.states[l].h(), r * bytes, slotH[l], slot * bytes, bytes);
            MemorySegment.copy(current.states[l].c(), r * bytes, slotC[l], slot * bytes, bytes);
        }
    }

    /** Row {@code r}'s logits, valid until the next step; null without logits. */
    MemorySegment logits(int r) {
        return head == null ? null : current.logitRows[r];
    }

    /** Row {@code r}'s last-layer output, valid until the next step. */
    MemorySegment hidden(int r) {
        return current.hiddenRows[r];
    }

    @Override
    public void close() {
        arena.close();
    }
}
