package fdht.kernels.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The recurrent state {@code (h, c)} of a batch, {@code [b][H]} floats each in native memory,
 * zero at creation. Mutable and not thread-safe: one per sequence being run.
 */
public final class LstmState {
    private final MemorySegment h;
    private final MemorySegment c;
    private final int batch;
    private final int hidden;

    public LstmState(int batch, int hidden, Arena arena) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        if (hidden < 1) throw new IllegalArgumentException("hidden size " + hidden + " must be at least 1");
        this.batch = batch;
        this.hidden = hidden;
        this.h = Weights.floats(arena, (long) batch * hidden);
        this.c = Weights.floats(arena, (long) batch * hidden);
    }

    public MemorySegment h() { return h; }
    public MemorySegment c() { return c; }
    public int batch() { return batch; }
    public int hidden() { return hidden; }

    /** Back to {@code h = c = 0}. */
    public void reset() {
        h.fill((byte) 0);
        c.fill((byte) 0);
    }

    public float[] hToArray() { return Weights.toArray(h, 0, batch * hidden); }
    public float[] cToArray() { return Weights.toArray(c, 0, batch * hidden); }
}
