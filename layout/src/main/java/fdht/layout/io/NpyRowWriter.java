package fdht.layout.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A float32 {@code .npy} file written a block of rows (along the first axis) at a time, each block
 * at its own position, from any thread and in any order: a parallel producer writes its results
 * where they belong without waiting for the blocks before them, and no block is held in memory
 * longer than its write. The number of rows may be unknown until the end: the header reserves room
 * for the largest first axis and {@link #finish} writes the real one over it (padded with spaces,
 * as the format allows). The file is not atomic by itself: write it to an {@link AtomicOutputs}
 * staging path and commit it with the others.
 *
 * <p>Cost: one positional write per block. Thread safety: {@link #write} may be called from several
 * threads at once for disjoint rows; {@link #finish} and {@link #close} from one thread after the
 * writes. Errors are {@link ModelFileException}s naming the file.
 */
public final class NpyRowWriter implements AutoCloseable {
    private final Path path;
    private final long[] rowShape;
    private final long rowBytes;
    private final int headerBytes;
    private final FileChannel channel;

    /**
     * Creates (or truncates) {@code path} for rows of shape {@code rowShape} (the array's shape
     * without its first axis; empty for a 1-D array).
     */
    public NpyRowWriter(Path path, long[] rowShape) {
        this.path = path;
        this.rowShape = rowShape.clone();
        this.rowBytes = Math.multiplyExact(NpyFile.elements(rowShape), (long) Float.BYTES);
        this.headerBytes = NpyFile.header(shape(Long.MAX_VALUE), NpyFile.DType.FLOAT32, 0).length;
        try {
            this.channel =
                    FileChannel.open(
                            path,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot write: " + e.getMessage(), e);
        }
    }

    private long[] shape(long rows) {
        long[] s = new long[rowShape.length + 1];
        s[0] = rows;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    /** Bytes in one row. */
    public long rowBytes() {
        return rowBytes;
    }

    /** Writes rows {@code first .. first+count-1} from the start of {@code rows}. */
    public void write(long first, long count, MemorySegment rows) {
        if (first < 0 || count < 0)
            throw new IllegalArgumentException("rows " + first + " + " + count + " are negative");
        long bytes = count * rowBytes;
        if (rows.byteSize() < bytes)
            throw new IllegalArgumentException(
                    "a block of "
                            + count
                            + " rows needs "
                            + bytes
                            + " bytes, the segment holds "
                            + rows.byteSize());
        long at = headerBytes + first * rowBytes;
        if (rows.isNative()) {
            writeFully(rows.asSlice(0, bytes).asByteBuffer(), at);
            return;
        }
        byte[] chunk = new byte[(int) Math.min(bytes, 1 << 16)]; // a heap segment of floats
        for (long done = 0; done < bytes; done += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - done);
            MemorySegment.copy(rows, ValueLayout.JAVA_BYTE, done, chunk, 0, n);
            writeFully(ByteBuffer.wrap(chunk, 0, n), at + done);
        }
    }

    /** Writes the header for {@code rows} rows, cuts the file after them and closes it. */
    public void finish(long rows) {
        byte[] header = NpyFile.header(shape(rows), NpyFile.DType.FLOAT32, headerBytes);
        writeFully(ByteBuffer.wrap(header), 0);
        try {
            channel.truncate(headerBytes + rows * rowBytes);
            channel.close();
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot write: " + e.getMessage(), e);
        }
    }

    private void writeFully(ByteBuffer b, long position) {
        try {
            for (long at = position; b.hasRemaining(); ) at += channel.write(b, at);
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot write: " + e.getMessage(), e);
        }
    }

    /** Closes the file (idempotent); a file not {@link #finish}ed has no valid header. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot close: " + e.getMessage(), e);
        }
    }
}
