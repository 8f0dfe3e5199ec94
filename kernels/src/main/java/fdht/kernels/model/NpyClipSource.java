package fdht.kernels.model;

import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Clips of a float32 {@code .npy} ({@code [B, T, N]}, or {@code [T, N]} for one clip), read one
 * chunk at a time: a reader reads the clips it is asked for with positional reads into one buffer
 * of a chunk, made once in its arena. So a scoring thread holds one chunk of the file resident,
 * whatever the file's size (the rest stays in the page cache, which is the kernel's to evict). The
 * header is checked when the source is made (a {@link ModelFileException} names the file).
 */
final class NpyClipSource extends ClipSource {
    private final Path file;
    private final long dataStart;

    NpyClipSource(Path file) {
        this(file, NpyFile.header(nonNull(file)));
    }

    private NpyClipSource(Path file, NpyFile.Header h) {
        super(
                count(file, h.shape()),
                (int) h.shape()[h.shape().length - 2],
                (int) h.shape()[h.shape().length - 1]);
        this.file = file;
        this.dataStart = h.dataStart();
    }

    private static Path nonNull(Path file) {
        if (file == null) throw new IllegalArgumentException("file: expected a path to an .npy");
        return file;
    }

    /** The clips in an array of shape {@code s}, once it is checked to be clips. */
    private static long count(Path file, long[] s) {
        if (s.length != 2 && s.length != 3)
            throw new ModelFileException(
                    file,
                    null,
                    "clip shape " + Arrays.toString(s) + " is neither [T, N] nor [B, T, N]");
        boolean batched = s.length == 3;
        long t = s[batched ? 1 : 0], n = s[batched ? 2 : 1];
        if (t < 1 || n < 1)
            throw new ModelFileException(
                    file, null, "clip shape " + Arrays.toString(s) + " holds no frame");
        if (t > Integer.MAX_VALUE || n > Integer.MAX_VALUE)
            throw new ModelFileException(
                    file, null, "clip shape " + Arrays.toString(s) + ": a frame beyond 2^31 - 1");
        return batched ? s[0] : 1;
    }

    @Override
    Reader reader(int maxClips, Arena arena) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelFileException(file, null, "cannot read: " + e.getMessage(), e);
        }
        // one chunk's buffer, filled by positional reads: no mapping per chunk, so no page faults
        // and no unmapping (whose TLB shootdowns stall every other scoring thread)
        MemorySegment buffer = Weights.floats(arena, maxClips * clipFloats());
        return new Reader() {
            @Override
            MemorySegment read(long first, int n) {
                long bytes = n * clipFloats() * Float.BYTES;
                long at = dataStart + first * clipFloats() * Float.BYTES;
                ByteBuffer into = buffer.asSlice(0, bytes).asByteBuffer();
                try {
                    while (into.hasRemaining()) {
                        int got = channel.read(into, at + into.position());
                        if (got < 0)
                            throw new ModelFileException(
                                    file,
                                    null,
                                    "ends inside clips "
                                            + first
                                            + ".."
                                            + (first + n - 1)
                                            + ": truncated after its header was read");
                    }
                } catch (IOException e) {
                    throw new ModelFileException(
                            file, null, "cannot read clips " + first + "..: " + e.getMessage(), e);
                }
                return buffer.asSlice(0, bytes).asReadOnly();
            }

            @Override
            public void close() {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only: nothing is lost
                }
            }
        };
    }

    @Override
    public String toString() {
        return file + " (" + count() + " clips of " + frames() + " x " + frameSize() + ")";
    }
}
