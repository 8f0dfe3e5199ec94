package fdht.layout.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NumPy {@code .npy} files in C order, any rank, of float32 ({@code descr '<f4'}: clips and
 * outputs) or int64 ({@code '<i8'}: labels). Reading validates the magic, version (1, 2, 3), header
 * length (at most {@link #MAX_HEADER_BYTES}), the header dictionary, the dtype the caller asked
 * for, and that the data is exactly {@code prod(shape) * itemsize} bytes, then maps the data in
 * place; every failure is a {@link ModelFileException}. Writing goes to a temporary file renamed on
 * success; {@link #write(Path, long[], int, Rows)} streams arrays too large for memory.
 *
 * <p>Thread safety: Stateless: safe to call from any thread. An {@link Array} lives in the caller's
 * arena and shares its thread rules.
 */
public final class NpyFile {
    public static final int MAX_HEADER_BYTES = 65_536;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The element types read and written: little-endian float32 and int64. */
    public enum DType {
        FLOAT32("<f4", "float32", 4),
        INT64("<i8", "int64", 8);
        final String descr, name;
        public final int bytes;

        DType(String descr, String name, int bytes) {
            this.descr = descr;
            this.name = name;
            this.bytes = bytes;
        }
    }

    /**
     * Produces rows {@code first .. first+count-1} (along the first axis) of an array being
     * written.
     */
    public interface Rows {
        void fill(long first, int count, MemorySegment out);
    }

    /**
     * An array: its shape and its data (native, read-only when mapped; float32 unless read by
     * {@link #readInt64}).
     */
    public record Array(long[] shape, MemorySegment data) {
        public long elements() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    private NpyFile() {}

    /**
     * Maps a float32 {@code path} into {@code arena}; the data is used in place when 4-byte
     * aligned, else copied.
     */
    public static Array read(Path path, Arena arena) {
        return read(path, arena, DType.FLOAT32);
    }

    /**
     * Maps an int64 {@code path} (labels, for example) into {@code arena}, as {@link #read(Path,
     * Arena)}.
     */
    public static Array readInt64(Path path, Arena arena) {
        return read(path, arena, DType.INT64);
    }

    /**
     * The shape of the float32 array in {@code path}, from its header alone (the file is checked as
     * {@link #read(Path, Arena)} checks it, but not mapped).
     */
    public static long[] shape(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return header(path, ch, DType.FLOAT32).shape();
        } catch (NoSuchFileException e) {
            throw new ModelFileException(path, null, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static Array read(Path path, Arena arena, DType dtype) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = header(path, ch, dtype);
            long dataStart = h.dataStart(), bytes = h.bytes();
            long[] shape = h.shape();
            MemorySegment data =
                    ch.map(FileChannel.MapMode.READ_ONLY, dataStart, bytes, arena).asReadOnly();
            if (dataStart % dtype.bytes != 0) {
                MemorySegment aligned =
                        arena.allocate(Math.max(dtype.bytes, bytes), 64).asSlice(0, bytes);
                MemorySegment.copy(data, 0, aligned, 0, bytes);
                data = aligned;
            }
            return new Array(shape, data);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(path, null, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Where an array's data starts and how many bytes it holds, checked against the file size. */
    private record Header(long[] shape, long dataStart, long bytes) {}

    private static Header header(Path path, FileChannel ch, DType dtype) throws IOException {
        long size = ch.size();
        if (size < 10)
            throw new ModelFileException(
                    path, null, "truncated: " + size + " bytes, shorter than an .npy preamble");
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(pre, 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre.get(i) != MAGIC[i])
                throw new ModelFileException(path, null, "not an .npy file (bad magic)");
        }
        int major = pre.get(6);
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = pre.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (size < 12) throw new ModelFileException(path, null, "truncated preamble");
            headerLen = pre.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new ModelFileException(path, null, "unsupported .npy version " + major);
        }
        if (headerLen > MAX_HEADER_BYTES)
            throw new ModelFileException(
                    path, null, "header length " + headerLen + " exceeds " + MAX_HEADER_BYTES);
        if (headerStart + headerLen > size)
            throw new ModelFileException(
                    path, null, "truncated: header runs past the end of the file");
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        while (hb.hasRemaining()) {
            if (ch.read(hb, headerStart + hb.position()) < 0)
                throw new ModelFileException(path, null, "truncated header");
        }
        String header =
                new String(
                        hb.array(),
                        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        long[] shape = parseHeader(path, header, dtype);
        long elements = 1;
        for (long s : shape) {
            try {
                elements = Math.multiplyExact(elements, s);
            } catch (ArithmeticException e) {
                throw new ModelFileException(
                        path, null, "shape " + Arrays.toString(shape) + " overflows");
            }
        }
        long dataStart = headerStart + headerLen;
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) dtype.bytes);
        } catch (ArithmeticException e) {
            throw new ModelFileException(
                    path, null, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (size - dataStart != bytes) {
            throw new ModelFileException(
                    path,
                    null,
                    (size - dataStart < bytes ? "truncated: " : "trailing bytes: ")
                            + "shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + bytes
                            + " data bytes but the file has "
                            + (size - dataStart));
        }
        return new Header(shape, dataStart, bytes);
    }

    /** Parses {@code {'descr': '<f4', 'fortran_order': False, 'shape': (a, b), }}. */
    private static long[] parseHeader(Path path, String h, DType dtype) {
        String t = h.strip();
        if (!t.startsWith("{") || !t.endsWith("}"))
            throw new ModelFileException(
                    path, null, "header is not a dictionary: " + abbreviate(t));
        String descr = field(path, t, "descr");
        if (!descr.equals("'" + dtype.descr + "'") && !descr.equals("'" + dtype.name + "'")) {
            throw new ModelFileException(
                    path,
                    null,
                    "dtype "
                            + descr
                            + " is not little-endian "
                            + dtype.name
                            + " ('"
                            + dtype.descr
                            + "')");
        }
        String fortran = field(path, t, "fortran_order");
        if (!fortran.equals("False"))
            throw new ModelFileException(
                    path, null, "fortran_order " + fortran + ": only C order is supported");
        String shape = field(path, t, "shape");
        if (!shape.startsWith("(") || !shape.endsWith(")"))
            throw new ModelFileException(
                    path, null, "shape " + abbreviate(shape) + " is not a tuple");
        List<Long> dims = new ArrayList<>();
        for (String part : shape.substring(1, shape.length() - 1).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (v < 0) throw new NumberFormatException();
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new ModelFileException(
                        path,
                        null,
                        "shape entry '" + abbreviate(p) + "' is not a non-negative integer");
            }
        }
        if (dims.size() > 16)
            throw new ModelFileException(path, null, "shape has more than 16 dimensions");
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The raw text of dictionary entry {@code key}: a quoted string, a word, or a parenthesised
     * tuple.
     */
    private static String field(Path path, String dict, String key) {
        int k = dict.indexOf("'" + key + "'");
        if (k < 0) k = dict.indexOf("\"" + key + "\"");
        if (k < 0) throw new ModelFileException(path, null, "header lacks '" + key + "'");
        int colon = dict.indexOf(':', k + key.length() + 2);
        if (colon < 0)
            throw new ModelFileException(path, null, "header entry '" + key + "' has no value");
        int i = colon + 1;
        while (i < dict.length() && dict.charAt(i) == ' ') i++;
        if (i >= dict.length())
            throw new ModelFileException(path, null, "header entry '" + key + "' has no value");
        char c = dict.charAt(i);
        int end;
        if (c == '\'' || c == '"') {
            end = dict.indexOf(c, i + 1);
            if (end < 0) throw new ModelFileException(path, null, "unterminated string in header");
            end++;
        } else if (c == '(') {
            end = dict.indexOf(')', i);
            if (end < 0) throw new ModelFileException(path, null, "unterminated tuple in header");
            end++;
        } else {
            end = i;
            while (end < dict.length() && Character.isLetterOrDigit(dict.charAt(end))) end++;
        }
        return dict.substring(i, end);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /**
     * Writes float32 data of the given shape (version 1.0 header, 64-byte aligned data),
     * atomically.
     */
    public static void write(Path target, long[] shape, MemorySegment data) {
        write(target, shape, DType.FLOAT32, data);
    }

    /** Writes int64 data of the given shape (labels, for example), atomically. */
    public static void writeInt64(Path target, long[] shape, MemorySegment data) {
        write(target, shape, DType.INT64, data);
    }

    private static void write(Path target, long[] shape, DType dtype, MemorySegment data) {
        long elements = elements(shape);
        if (data.byteSize() < elements * dtype.bytes) {
            throw new IllegalArgumentException(
                    "data holds "
                            + data.byteSize() / dtype.bytes
                            + " "
                            + dtype.name
                            + " values but shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + elements);
        }
        long bytes = elements * dtype.bytes;
        AtomicFile.write(
                target,
                out -> {
                    out.write(header(shape, dtype));
                    copyOut(data, bytes, out, new byte[1 << 16]);
                });
    }

    /**
     * Writes a float32 array of the given shape whose rows (along the first axis) {@code source}
     * produces {@code rowsPerChunk} at a time into one native buffer of that many rows, so an array
     * larger than memory streams to disk; atomically, as the other writers.
     */
    public static void write(Path target, long[] shape, int rowsPerChunk, Rows source) {
        if (shape.length == 0)
            throw new IllegalArgumentException("a streamed array needs at least one axis");
        if (rowsPerChunk < 1)
            throw new IllegalArgumentException(
                    "rowsPerChunk " + rowsPerChunk + " must be at least 1");
        long elements = elements(shape);
        long rowFloats = shape[0] == 0 ? 0 : elements / shape[0];
        AtomicFile.write(
                target,
                out -> {
                    out.write(header(shape, DType.FLOAT32));
                    byte[] chunk = new byte[1 << 16];
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment rows =
                                arena.allocate(
                                        Math.max(
                                                1,
                                                Math.multiplyExact(rowFloats, (long) rowsPerChunk)
                                                        * Float.BYTES),
                                        64);
                        for (long first = 0; first < shape[0]; first += rowsPerChunk) {
                            int n = (int) Math.min(rowsPerChunk, shape[0] - first);
                            source.fill(first, n, rows);
                            copyOut(rows, n * rowFloats * Float.BYTES, out, chunk);
                        }
                    }
                });
    }

    private static long elements(long[] shape) {
        long elements = 1;
        for (long s : shape) {
            if (s < 0)
                throw new IllegalArgumentException(
                        "negative dimension in " + Arrays.toString(shape));
            elements = Math.multiplyExact(elements, s);
        }
        return elements;
    }

    /**
     * Magic, version 1.0, header length and the dictionary, padded so the data starts 64-byte
     * aligned.
     */
    private static byte[] header(long[] shape, DType dtype) {
        String tuple =
                shape.length == 1
                        ? "(" + shape[0] + ",)"
                        : "("
                                + String.join(
                                        ", ",
                                        Arrays.stream(shape)
                                                .mapToObj(Long::toString)
                                                .toArray(String[]::new))
                                + ")";
        String dict =
                "{'descr': '"
                        + dtype.descr
                        + "', 'fortran_order': False, 'shape': "
                        + tuple
                        + ", }";
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) & ~63;
        String header = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC)
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static void copyOut(
            MemorySegment data, long bytes, java.io.OutputStream out, byte[] chunk)
            throws IOException {
        for (long at = 0; at < bytes; at += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
