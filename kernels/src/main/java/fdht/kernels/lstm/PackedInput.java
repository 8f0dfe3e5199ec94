package fdht.kernels.lstm;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The input buffer {@code [b][x ; h ; 0]} a structured projection contracts: {@code width} columns
 * per row, the frame at column 0, the hidden state (if any) at column {@code N_x}, and zero padding
 * up to {@code width} that is written once, at allocation, and never again.
 */
final class PackedInput {
    final MemorySegment buffer;
    final int width;
    final int batch;

    PackedInput(Arena arena, int batch, int width) {
        this.buffer = Weights.floats(arena, (long) batch * width);
        this.width = width;
        this.batch = batch;
    }

    /**
     * Copies {@code n} floats of every batch row from {@code src} (rows {@code srcStride} apart) to
     * column {@code col}.
     */
    void fill(MemorySegment src, long srcOff, long srcStride, int col, int n) {
        long bytes = (long) n * Float.BYTES;
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(
                    src,
                    (srcOff + b * srcStride) * Float.BYTES,
                    buffer,
                    ((long) b * width + col) * Float.BYTES,
                    bytes);
        }
    }
}
