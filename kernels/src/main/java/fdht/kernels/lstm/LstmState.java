package fdht.kernels.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The recurrent state {@code (h, c)} of a batch, {@code [b][H]} floats each in native memory, zero
 * at creation. Mutable and not thread-safe: one per sequence being run.
 */
public final class LstmState {
    private final MemorySegment h;
    private final MemorySegment c;
    private final int batch;
    private final int hidden;

    public LstmState(int batch, int hidden, Arena arena) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        if (hidden < 1)
            throw new IllegalArgumentException("hidden size " + hidden + " must be at least 1");
        this.batch = batch;
        this.hidden = hidden;
        this.h = Weights.floats(arena, (long) batch * hidden);
        this.c = Weights.floats(arena, (long) batch * hidden);
    }

    private LstmState(MemorySegment h, MemorySegment c, int batch, int hidden) {
        this.h = h;
        this.c = c;
        this.batch = batch;
        this.hidden = hidden;
    }

    /** Rows {@code [from, from + count)} of this state, sharing its memory. */
    public LstmState rows(int from, int count) {
        if (from < 0 || count < 1 || from + count > batch)
            throw new IllegalArgumentException(
                    "rows [" + from + ", " + (from + count) + ") outside batch " + batch);
        long at = (long) from * hidden * Float.BYTES, bytes = (long) count * hidden * Float.BYTES;
        return new LstmState(h.asSlice(at, bytes), c.asSlice(at, bytes), count, hidden);
    }

    public MemorySegment h() {
        return h;
    }

    public MemorySegment c() {
        return c;
    }

    public int batch() {
        return batch;
    }

    public int hidden() {
        return hidden;
    }

    /** Back to {@code h = c = 0}. */
    public void reset() {
        h.fill((byte) 0);
        c.fill((byte) 0);
    }

    public float[] hToArray() {
        return Weights.toArray(h, 0, batch * hidden);
    }

    public float[] cToArray() {
        return Weights.toArray(c, 0, batch * hidden);
    }
}
