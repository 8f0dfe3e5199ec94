package fdht.kernels.lstm;

import fdht.kernels.ExecutionPath;
import fdht.kernels.KernelOptions;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch for running one {@link Lstm} on batches of a fixed size: the gate buffer
 * {@code z} and the projection's own buffers (for structured formats, the compiled plan and its
 * ping-pong buffers), made for the layer's kernels. Not thread-safe: one per thread.
 */
public final class LstmWorkspace {
    final Lstm model;
    final int batch;
    final MemorySegment z;
    final GateProjection.Scratch projection;

    LstmWorkspace(Lstm model, int batch, KernelOptions options, Arena arena) {
        this.model = model;
        this.batch = batch;
        this.z = Weights.floats(arena, 4L * batch * model.hiddenSize());
        this.projection = model.projection().newScratch(batch, model.kernels(), options, arena);
    }

    public int batch() {
        return batch;
    }

    /**
     * How the projection's rows run, chosen when the workspace was made for its layer's kernels:
     * {@link ExecutionPath#BATCH_LANES} (rows below a whole chunk then on {@link #rowPath()}),
     * {@link ExecutionPath#ROW_LANES} or {@link ExecutionPath#ROW_MAJOR} (dense layers too).
     */
    public ExecutionPath path() {
        return projection.path();
    }

    /** How single rows run: {@link ExecutionPath#ROW_LANES} or {@link ExecutionPath#ROW_MAJOR}. */
    public ExecutionPath rowPath() {
        return projection.rowPath();
    }

    /** {@link #path()} in words, as {@code fdht inspect} prints it. */
    public String describePath() {
        return path() == rowPath()
                ? path().label()
                : path().label() + " (rows below a whole chunk: " + rowPath().label() + ")";
    }
}
