package fdht.kernels.model;

import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Clips of a float32 {@code .npy} ({@code [B, T, N]}, or {@code [T, N]} for one clip), mapped one
 * chunk at a time: a reader maps the region of the chunk it is asked for into an arena of its own
 * and closes that arena (unmapping the region) when the next chunk comes or the reader closes. So a
 * scoring thread holds at most one chunk of the file resident, whatever the file's size. The header
 * is checked when the source is made (a {@link ModelFileException} names the file); the data is
 * used in place (numpy aligns it), or copied when it is not 4-byte aligned.
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
        boolean aligned = dataStart % Float.BYTES == 0;
        MemorySegment copy = aligned ? null : Weights.floats(arena, maxClips * clipFloats());
        return new Reader() {
            private Arena region; // the mapped chunk's arena

            @Override
            MemorySegment read(long first, int n) {
                unmap();
                long bytes = n * clipFloats() * Float.BYTES;
                region = Arena.ofConfined();
                MemorySegment mapped;
                try {
                    mapped =
                            channel.map(
                                    FileChannel.MapMode.READ_ONLY,
                                    dataStart + first * clipFloats() * Float.BYTES,
                                    bytes,
                                    region);
                } catch (IOException e) {
                    throw new ModelFileException(
                            file, null, "cannot map clips " + first + "..: " + e.getMessage(), e);
                }
                if (aligned) return mapped.asReadOnly();
                MemorySegment.copy(mapped, 0, copy, 0, bytes);
                unmap();
                return copy.asSlice(0, bytes);
            }

            private void unmap() {
                if (region != null) region.close();
                region = null;
            }

            @Override
            public void close() {
                unmap();
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
