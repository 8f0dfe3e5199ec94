package fdht.layout.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file (8-byte little-endian header length, JSON header, raw little-endian tensors),
 * memory-mapped into the caller's {@link Arena}; closing the arena unmaps it.
 *
 * <p>Model files are untrusted input. The header is validated completely before anything is mapped
 * or allocated: its length bounded ({@link #MAX_HEADER_BYTES}) and inside the file, the JSON strict
 * and well-formed, dtypes known (F32, F16, BF16), shapes non-negative with sizes that match their
 * byte ranges, ranges inside the data area and not overlapping. Every failure is a {@link
 * ModelFileException} naming the file and the tensor. F32 tensors are used in place (a read-only
 * slice of the mapping, no copy) when 4-byte aligned; F16, BF16 and misaligned F32 are converted
 * into a new native buffer.
 *
 * <p>Thread safety: Immutable once open; usable from any thread when its arena is shared ({@code
 * Arena.ofShared()}), from the opening thread only when it is confined.
 */
public final class SafetensorsFile {
    /** The safetensors specification caps the header at 100 MB. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /**
     * The safetensors dtypes. The float ones (F32, F16, BF16, F64) read as floats; the others are
     * accepted in a header (a state dict may hold, say, BatchNorm's I64 counter next to the weights
     * fdht reads) but {@link #floats} refuses them.
     */
    public enum DType {
        F32(4, true),
        F16(2, true),
        BF16(2, true),
        F64(8, true),
        I64(8, false),
        I32(4, false),
        I16(2, false),
        I8(1, false),
        U64(8, false),
        U32(4, false),
        U16(2, false),
        U8(1, false),
        BOOL(1, false),
        F8_E4M3(1, false),
        F8_E5M2(1, false);

        public final int bytes;

        /** Whether {@link #floats} reads it. */
        public final boolean floating;

        DType(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }
    }

    /**
     * One tensor of the header; {@code begin} and {@code end} are byte offsets into the data area.
     */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    private final Path path;
    private final MemorySegment mapped;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            MemorySegment mapped,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.mapped = mapped;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** How to write safetensors from PyTorch, for error messages. */
    public static final String PYTORCH_TO_SAFETENSORS =
            "'from safetensors.torch import save_file; save_file(model.state_dict(), \"model.safetensors\")'";

    /**
     * torch.save writes a zip archive (since 1.6) or a bare pickle (protocol 2..5); a safetensors
     * file may start so only if a '{' follows.
     */
    private static boolean isPyTorchPickle(ByteBuffer first8) {
        int b0 = first8.get(0) & 0xff, b1 = first8.get(1) & 0xff;
        boolean zip = b0 == 'P' && b1 == 'K' && first8.get(2) == 3 && first8.get(3) == 4;
        boolean pickle = b0 == 0x80 && b1 >= 2 && b1 <= 5;
        return zip || pickle;
    }

    /**
     * Whether the byte after the header length opens a JSON object, as every safetensors header
     * does.
     */
    private static boolean startsJson(FileChannel ch, long size, Path path) throws IOException {
        if (size < 9) return false;
        ByteBuffer b = ByteBuffer.allocate(1);
        readFully(ch, b, 8, path);
        return b.get(0) == '{';
    }

    /** Validates the header of {@code path} and maps the file into {@code arena}. */
    public static SafetensorsFile open(Path path, Arena arena) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new ModelFileException(
                        path,
                        null,
                        "truncated: " + size + " bytes, not even the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, path);
            long headerLen = lenBuf.getLong(0);
            if (isPyTorchPickle(lenBuf) && !startsJson(ch, size, path)) {
                throw new ModelFileException(
                        path,
                        null,
                        "this is a PyTorch pickle (torch.save), not safetensors; unpickling runs code, so it is not read: save it with "
                                + PYTORCH_TO_SAFETENSORS);
            }
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new ModelFileException(
                        path,
                        null,
                        "header length "
                                + Long.toUnsignedString(headerLen)
                                + " is outside 2.."
                                + MAX_HEADER_BYTES);
            }
            if (headerLen > size - 8) {
                throw new ModelFileException(
                        path,
                        null,
                        "truncated: header length "
                                + headerLen
                                + " but only "
                                + (size - 8)
                                + " bytes follow");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, path);
            String text;
            try {
                text =
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT)
                                .decode(hb.flip())
                                .toString();
            } catch (CharacterCodingException e) {
                throw new ModelFileException(path, null, "header is not valid UTF-8");
            }
            long dataStart = 8 + headerLen;
            long dataLength = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, text, dataLength, metadata);
            MemorySegment mapped =
                    ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
            return new SafetensorsFile(
                    path,
                    mapped,
                    dataStart,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (NoSuchFileException e) {
            throw new ModelFileException(path, null, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at, Path path)
            throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0)
                throw new ModelFileException(path, null, "truncated while reading the header");
            pos += n;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, String text, long dataLength, Map<String, String> metadata) {
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, null, "header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries))
            throw new ModelFileException(path, null, "header is not a JSON object");
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta))
                    throw new ModelFileException(path, null, "__metadata__ is not an object");
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v))
                        throw new ModelFileException(
                                path,
                                null,
                                "__metadata__ value of '" + m.getKey() + "' is not a string");
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            tensors.put(name, tensor(path, name, e.getValue(), dataLength));
        }
        List<TensorInfo> byStart = new ArrayList<>(tensors.values());
        byStart.sort(
                Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < byStart.size(); i++) {
            TensorInfo prev = byStart.get(i - 1), cur = byStart.get(i);
            if (cur.begin() < prev.end()) {
                throw new ModelFileException(
                        path,
                        cur.name(),
                        "bytes ["
                                + cur.begin()
                                + ", "
                                + cur.end()
                                + ") overlap tensor '"
                                + prev.name()
                                + "' ["
                                + prev.begin()
                                + ", "
                                + prev.end()
                                + ")");
            }
        }
        return tensors;
    }

    private static TensorInfo tensor(Path path, String name, Object spec, long dataLength) {
        if (!(spec instanceof Map<?, ?> m))
            throw new ModelFileException(path, name, "entry is not an object");
        for (Object key : m.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new ModelFileException(path, name, "unknown field '" + key + "'");
            }
        }
        if (!(m.get("dtype") instanceof String dt))
            throw new ModelFileException(path, name, "dtype missing or not a string");
        DType dtype;
        try {
            dtype = DType.valueOf(dt);
        } catch (IllegalArgumentException x) {
            throw new ModelFileException(path, name, "unknown dtype '" + dt + "'");
        }
        if (!(m.get("shape") instanceof List<?> shapeList))
            throw new ModelFileException(path, name, "shape missing or not an array");
        if (shapeList.size() > 16)
            throw new ModelFileException(
                    path, name, "shape has " + shapeList.size() + " dimensions, more than 16");
        long[] shape = new long[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long v) || v < 0)
                throw new ModelFileException(
                        path, name, "shape entry " + i + " is not a non-negative integer");
            shape[i] = v;
            try {
                elements = Math.multiplyExact(elements, v);
            } catch (ArithmeticException x) {
                throw new ModelFileException(path, name, "shape overflows");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> off)
                || off.size() != 2
                || !(off.get(0) instanceof Long begin)
                || !(off.get(1) instanceof Long end)) {
            throw new ModelFileException(path, name, "data_offsets must be two integers");
        }
        if (begin < 0 || end < begin)
            throw new ModelFileException(
                    path,
                    name,
                    "data_offsets ["
                            + begin
                            + ", "
                            + end
                            + ") are not an ordered pair of non-negative offsets");
        if (end > dataLength)
            throw new ModelFileException(
                    path,
                    name,
                    "data_offsets end "
                            + end
                            + " is past the end of the data ("
                            + dataLength
                            + " bytes)");
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, dtype.bytes);
        } catch (ArithmeticException x) {
            throw new ModelFileException(path, name, "shape overflows");
        }
        if (bytes != end - begin) {
            throw new ModelFileException(
                    path,
                    name,
                    "shape "
                            + java.util.Arrays.toString(shape)
                            + " of "
                            + dtype
                            + " needs "
                            + bytes
                            + " bytes but data_offsets span "
                            + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new ModelFileException(path, name, "missing");
        return t;
    }

    /** The metadata value for {@code key}, or a {@link ModelFileException} naming it. */
    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) throw new ModelFileException(path, null, "__metadata__ lacks '" + key + "'");
        return v;
    }

    /**
     * The tensor as native floats: the mapped bytes themselves (read-only) for aligned F32, else a
     * converted copy in {@code arena}. Non-finite values are rejected, naming the index.
     */
    public MemorySegment floats(String name, Arena arena) {
        TensorInfo t = info(name);
        if (!t.dtype().floating)
            throw new ModelFileException(
                    path,
                    name,
                    "dtype " + t.dtype() + " is not a float type (fdht reads F32, F16, BF16, F64)");
        long at = dataStart + t.begin();
        long n = t.elements();
        MemorySegment src = mapped.asSlice(at, t.end() - t.begin());
        MemorySegment out;
        if (t.dtype() == DType.F32 && at % 4 == 0) {
            out = src;
        } else {
            out = arena.allocate(Math.max(1, n) * Float.BYTES, 64);
            for (long i = 0; i < n; i++)
                out.setAtIndex(ValueLayout.JAVA_FLOAT, i, read(src, t.dtype(), i));
            out = out.asSlice(0, n * Float.BYTES);
        }
        for (long i = 0; i < n; i++) {
            float v = out.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (!Float.isFinite(v))
                throw new ModelFileException(
                        path, name, "non-finite value " + v + " at flat index " + i);
        }
        return out;
    }

    /** The tensor as a heap array (small tensors), same checks as {@link #floats}. */
    public float[] toArray(String name) {
        TensorInfo t = info(name);
        if (t.elements() > Integer.MAX_VALUE - 8)
            throw new ModelFileException(path, name, "too large for a heap array");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment s = floats(name, scratch);
            float[] a = new float[(int) t.elements()];
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a, 0, a.length);
            return a;
        }
    }

    /** Checks that tensor {@code name} has exactly {@code shape}. */
    public TensorInfo requireShape(String name, long... shape) {
        TensorInfo t = info(name);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(
                    path,
                    name,
                    "shape "
                            + java.util.Arrays.toString(t.shape())
                            + " where "
                            + java.util.Arrays.toString(shape)
                            + " is expected");
        }
        return t;
    }

    private static float read(MemorySegment src, DType dt, long i) {
        return switch (dt) {
            case F32 -> src.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            case F16 -> Float.float16ToFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
            case BF16 ->
                    Float.intBitsToFloat(
                            (src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xffff) << 16);
            case F64 -> (float) src.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
            default ->
                    throw new IllegalStateException(
                            "not a float dtype: " + dt); // floats() refused it already
        };
    }
}
