package fdht.layout.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NumPy {@code .npy} files of float32 in C order ({@code descr '<f4'}, any rank), the format of
 * clips and outputs. Reading validates the magic, version (1, 2, 3), header length (at most
 * {@link #MAX_HEADER_BYTES}), the header dictionary, and that the data is exactly
 * {@code prod(shape) * 4} bytes, then maps the data in place; every failure is a
 * {@link ModelFileException}. Writing goes to a temporary file renamed on success.
 *
 * <p>Thread safety: Stateless: safe to call from any thread. An {@link Array} lives in the caller's arena and shares its thread rules.
 */
public final class NpyFile {
    public static final int MAX_HEADER_BYTES = 65_536;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** A float32 array: its shape and its data (native, read-only when mapped). */
    public record Array(long[] shape, MemorySegment data) {
        public long elements() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    private NpyFile() {}

    /** Maps {@code path} into {@code arena}; the data is used in place when 4-byte aligned, else copied. */
    public static Array read(Path path, Arena arena) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 10) throw new ModelFileException(path, null, "truncated: " + size + " bytes, shorter than an .npy preamble");
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre.get(i) != MAGIC[i]) throw new ModelFileException(path, null, "not an .npy file (bad magic)");
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
            if (headerLen > MAX_HEADER_BYTES) throw new ModelFileException(path, null, "header length " + headerLen + " exceeds " + MAX_HEADER_BYTES);
            if (headerStart + headerLen > size) throw new ModelFileException(path, null, "truncated: header runs past the end of the file");
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            while (hb.hasRemaining()) {
                if (ch.read(hb, headerStart + hb.position()) < 0) throw new ModelFileException(path, null, "truncated header");
            }
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            long[] shape = parseHeader(path, header);
            long elements = 1;
            for (long s : shape) {
                try {
                    elements = Math.multiplyExact(elements, s);
            } catch (ArithmeticException e) {
                    throw new ModelFileException(path, null, "shape " + Arrays.toString(shape) + " overflows");
            }
            }
            long dataStart = headerStart + headerLen;
            long bytes;
            try {
                bytes = Math.multiplyExact(elements, 4L);
            } catch (ArithmeticException e) {
                throw new ModelFileException(path, null, "shape " + Arrays.toString(shape) + " overflows");
            }
            if (size - dataStart != bytes) {
                throw new ModelFileException(path, null, (size - dataStart < bytes ? "truncated: " : "trailing bytes: ") + "shape " + Arrays.toString(shape)
                        + " needs " + bytes + " data bytes but the file has " + (size - dataStart));
            }
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, bytes, arena).asReadOnly();
            if (dataStart % 4 != 0) {
                MemorySegment aligned = arena.allocate(Math.max(4, bytes), 64).asSlice(0, bytes);
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

    /** Parses {@code {'descr': '<f4', 'fortran_order': False, 'shape': (a, b), }}. */
    private static long[] parseHeader(Path path, String h) {
        String t = h.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) throw new ModelFileException(path, null, "header is not a dictionary: " + abbreviate(t));
        String descr = field(path, t, "descr");
        if (!descr.equals("'<f4'") && !descr.equals("'float32'")) {
            throw new ModelFileException(path, null, "dtype " + descr + " is not little-endian float32 ('<f4')");
        }
        String fortran = field(path, t, "fortran_order");
        if (!fortran.equals("False")) throw new ModelFileException(path, null, "fortran_order " + fortran + ": only C order is supported");
        String shape = field(path, t, "shape");
        if (!shape.startsWith("(") || !shape.endsWith(")")) throw new ModelFileException(path, null, "shape " + abbreviate(shape) + " is not a tuple");
        List<Long> dims = new ArrayList<>();
        for (String part : shape.substring(1, shape.length() - 1).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (v < 0) throw new NumberFormatException();
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new ModelFileException(path, null, "shape entry '" + abbreviate(p) + "' is not a non-negative integer");
            }
        }
        if (dims.size() > 16) throw new ModelFileException(path, null, "shape has more than 16 dimensions");
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The raw text of dictionary entry {@code key}: a quoted string, a word, or a parenthesised tuple. */
    private static String field(Path path, String dict, String key) {
        int k = dict.indexOf("'" + key + "'");
        if (k < 0) k = dict.indexOf("\"" + key + "\"");
        if (k < 0) throw new ModelFileException(path, null, "header lacks '" + key + "'");
        int colon = dict.indexOf(':', k + key.length() + 2);
        if (colon < 0) throw new ModelFileException(path, null, "header entry '" + key + "' has no value");
        int i = colon + 1;
        while (i < dict.length() && dict.charAt(i) == ' ') i++;
        if (i >= dict.length()) throw new ModelFileException(path, null, "header entry '" + key + "' has no value");
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

    /** Writes float32 data of the given shape (version 1.0 header, 64-byte aligned data), atomically. */
    public static void write(Path target, long[] shape, MemorySegment data) {
        long elements = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            elements = Math.multiplyExact(elements, s);
        }
        if (data.byteSize() < elements * 4) throw new IllegalArgumentException("data holds " + data.byteSize() / 4 + " floats but shape " + Arrays.toString(shape) + " needs " + elements);
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toArray(String[]::new)) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) & ~63;
        String header = dict + " ".repeat(padded - total) + "\n";
        long bytes = elements * 4;
        AtomicFile.write(target, out -> {
            out.write(MAGIC);
            out.write(new byte[]{1, 0});
            ByteBuffer len = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) header.length());
            out.write(len.array());
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[1 << 16];
            for (long at = 0; at < bytes; at += chunk.length) {
                int n = (int) Math.min(chunk.length, bytes - at);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                out.write(chunk, 0, n);
            }
        });
    }
}
