package fdht.kernels.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for running one {@link Lstm} on batches of a fixed size: the gate buffer
 * {@code z} and the projection's own buffers (for structured formats, the compiled plan and its
 * ping-pong buffers). Not thread-safe: one per thread.
 */
public final class LstmWorkspace {
    final Lstm model;
    final int batch;
    final MemorySegment z;
    final GateProjection.Scratch projection;

    LstmWorkspace(Lstm model, int batch, Arena arena) {
        this.model = model;
        this.batch = batch;
        this.z = Weights.floats(arena, 4L * batch * model.hiddenSize());
        this.projection = model.projection().newScratch(batch, arena);
    }

    public int batch() {
        return batch;
    }
}
