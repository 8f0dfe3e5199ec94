package fdht.train.data;

import fdht.layout.io.ModelFileException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * IDX files of unsigned bytes (the MNIST / Fashion-MNIST format: two zero bytes, type {@code 0x08},
 * rank, then {@code rank} big-endian int32 dimensions and the data in C order), plain or
 * gzip-compressed (detected by the gzip magic).
 *
 * <p>Data files are untrusted input, read with the care of the model readers in {@code
 * fdht.layout.io}: magic, type and rank (1..{@link #MAX_RANK}) are checked, every dimension must be
 * positive and the total at most the caller's bound <em>before</em> anything is allocated (so a
 * hostile header cannot ask for gigabytes, and a gzip bomb is cut off at the size its header
 * declares), the data must be exactly that long (no short read, no trailing bytes). Every failure,
 * including a corrupt or truncated gzip stream, is one {@link ModelFileException} naming the file.
 * Cost: one pass over the file; the data is held once on the heap.
 *
 * <p>Thread safety: Stateless; an {@link Array} is immutable by convention (do not write into
 * {@link Array#data()}).
 */
public final class IdxFile {
    public static final int MAX_RANK = 4;
    private static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** The dimensions and data (C order, unsigned bytes held in {@code byte}) of an IDX file. */
    public record Array(int[] dims, byte[] data) {
        /** Element {@code i} as 0..255. */
        public int unsigned(int i) {
            return data[i] & 0xff;
        }
    }

    private IdxFile() {}

    /**
     * Reads {@code path}, requiring {@code rank} dimensions and at most {@code maxElements}
     * elements (both checked from the header, before the data is read).
     */
    public static Array read(Path path, int rank, long maxElements) {
        if (rank < 1 || rank > MAX_RANK)
            throw new IllegalArgumentException("rank " + rank + " outside 1.." + MAX_RANK);
        if (maxElements < 1 || maxElements > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "maxElements " + maxElements + " outside 1.." + (Integer.MAX_VALUE - 16));
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return parse(path, in, rank, maxElements, gzip);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFileException(path, null, "no such file");
        } catch (ZipException e) {
            throw new ModelFileException(path, null, "corrupt gzip stream: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new ModelFileException(path, null, "truncated: the gzip stream ends early", e);
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static Array parse(Path path, InputStream in, int rank, long maxElements, boolean gzip)
            throws IOException {
        String what = gzip ? "decompressed data" : "file";
        byte[] head = new byte[4];
        if (in.readNBytes(head, 0, 4) < 4)
            throw new ModelFileException(
                    path, null, "truncated: the " + what + " is shorter than the 4-byte IDX magic");
        if (head[0] != 0 || head[1] != 0)
            throw new ModelFileException(
                    path, null, "not an IDX file (bad magic " + hex(head) + ")");
        if ((head[2] & 0xff) != TYPE_UNSIGNED_BYTE) {
            throw new ModelFileException(
                    path,
                    null,
                    "IDX element type 0x"
                            + Integer.toHexString(head[2] & 0xff)
                            + " is not unsigned byte (0x08)");
        }
        int fileRank = head[3] & 0xff;
        if (fileRank != rank)
            throw new ModelFileException(
                    path, null, "IDX rank " + fileRank + " where " + rank + " is expected");
        byte[] dimBytes = new byte[4 * rank];
        if (in.readNBytes(dimBytes, 0, dimBytes.length) < dimBytes.length) {
            throw new ModelFileException(
                    path,
                    null,
                    "truncated: the " + what + " ends inside the " + rank + " dimensions");
        }
        int[] dims = new int[rank];
        long elements = 1;
        for (int k = 0; k < rank; k++) {
            int d =
                    ((dimBytes[4 * k] & 0xff) << 24)
                            | ((dimBytes[4 * k + 1] & 0xff) << 16)
                            | ((dimBytes[4 * k + 2] & 0xff) << 8)
                            | (dimBytes[4 * k + 3] & 0xff);
            if (d <= 0)
                throw new ModelFileException(
                        path,
                        null,
                        "dimension "
                                + k
                                + " is "
                                + Integer.toUnsignedString(d)
                                + " (must be positive and below 2^31)");
            dims[k] = d;
            elements *= d; // at most (2^31)^4 would overflow: bound it as we go
            if (elements > maxElements) {
                throw new ModelFileException(
                        path,
                        null,
                        "dimensions "
                                + Arrays.toString(Arrays.copyOf(dims, k + 1))
                                + " exceed the bound of "
                                + maxElements
                                + " elements");
            }
        }
        byte[] data = new byte[(int) elements];
        int got = in.readNBytes(data, 0, data.length);
        if (got < data.length) {
            throw new ModelFileException(
                    path,
                    null,
                    "truncated: dimensions "
                            + Arrays.toString(dims)
                            + " need "
                            + elements
                            + " data bytes but the "
                            + what
                            + " has "
                            + got);
        }
        if (in.read() >= 0)
            throw new ModelFileException(
                    path,
                    null,
                    "trailing bytes after the "
                            + elements
                            + " data bytes of dimensions "
                            + Arrays.toString(dims));
        return new Array(dims, data);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder("0x");
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }
}
