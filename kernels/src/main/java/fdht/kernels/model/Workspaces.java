package fdht.kernels.model;

import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link Predictor}'s buffers: the native staging buffer for heap input, the last layer's output
 * sequence and the logits, sized for the largest batch and clip seen so far, and the stack's
 * workspaces, one per batch size (a workspace's plans are compiled for its batch), the {@value
 * #KEPT} most recently used kept. Each generation of buffers and each workspace has a confined
 * arena of its own, closed when it is replaced or evicted, so growth does not pile up memory. Not
 * thread-safe: its predictor's thread only.
 */
final class Workspaces implements AutoCloseable {
    /** Workspaces kept, one per batch size. */
    static final int KEPT = 8;

    private final LstmStack stack;
    private Arena buffers;
    private int batchCapacity, framesCapacity;
    private MemorySegment staging, sequence, logits;
    private final int[] batchOf = new int[KEPT], framesOf = new int[KEPT];
    private final long[] lastUse = new long[KEPT];
    private final Arena[] arenas = new Arena[KEPT];
    private final LstmStack.Workspace[] spaces = new LstmStack.Workspace[KEPT];
    private long clock;

    Workspaces(LstmStack stack) {
        this.stack = stack;
    }

    /** Makes the buffers hold at least {@code batch} clips of {@code frames} frames. */
    void ensure(int batch, int frames) {
        if (batch <= batchCapacity && frames <= framesCapacity) return;
        int b = Math.max(batch, batchCapacity), t = Math.max(frames, framesCapacity);
        Arena next = Arena.ofConfined();
        try {
            long clips = (long) b * t;
            MemorySegment s = Weights.floats(next, clips * stack.inputSize()),
                    q = Weights.floats(next, clips * stack.outputSize()),
                    y = Weights.floats(next, (long) b * Math.max(1, stack.headClasses()));
            if (buffers != null) buffers.close();
            buffers = next;
            staging = s;
            sequence = q;
            logits = y;
            batchCapacity = b;
            framesCapacity = t;
        } catch (RuntimeException | OutOfMemoryError e) {
            next.close();
            throw e;
        }
    }

    MemorySegment staging() {
        return staging;
    }

    MemorySegment sequence() {
        return sequence;
    }

    MemorySegment logits() {
        return logits;
    }

    /**
     * The workspace for {@code batch} clips of up to {@code frames} frames ({@link #ensure} called
     * first): a kept one, else a new one in place of the least recently used.
     */
    LstmStack.Workspace workspace(int batch, int frames) {
        int oldest = 0;
        for (int i = 0; i < KEPT; i++) {
            if (spaces[i] != null && batchOf[i] == batch && framesOf[i] >= frames) {
                lastUse[i] = ++clock;
                return spaces[i];
            }
            if (lastUse[i] < lastUse[oldest]) oldest = i;
        }
        Arena arena = Arena.ofConfined();
        LstmStack.Workspace ws;
        try {
            ws = stack.newWorkspace(batch, Math.max(frames, framesCapacity), arena);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        if (arenas[oldest] != null) arenas[oldest].close();
        arenas[oldest] = arena;
        spaces[oldest] = ws;
        batchOf[oldest] = batch;
        framesOf[oldest] = ws.maxFrames();
        lastUse[oldest] = ++clock;
        return ws;
    }

    @Override
    public void close() {
        for (int i = 0; i < KEPT; i++) {
            if (arenas[i] != null) arenas[i].close();
            arenas[i] = null;
            spaces[i] = null;
        }
        if (buffers != null) buffers.close();
        buffers = null;
    }
}
