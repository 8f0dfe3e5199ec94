package fdht.layout.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes F32 safetensors files. Tensors are written in the order added, each 8-byte aligned in the
 * data area, the header padded with spaces to a multiple of 8 so every tensor is mapped aligned.
 * The file appears atomically: it is written to a temporary file beside the target and renamed only
 * when complete, so a failure leaves nothing half-written.
 *
 * <p>Thread safety: Not thread-safe: fill and write it from one thread.
 */
public final class SafetensorsWriter {
    private record Entry(String name, long[] shape, MemorySegment data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor from a heap array (copied when written). */
    public SafetensorsWriter add(String name, long[] shape, float[] values) {
        return add(name, shape, MemorySegment.ofArray(values));
    }

    /**
     * Adds a tensor from native or heap floats; the segment must hold at least {@code prod shape}
     * floats.
     */
    public SafetensorsWriter add(String name, long[] shape, MemorySegment values) {
        long n = 1;
        for (long s : shape) {
            if (s < 0)
                throw new IllegalArgumentException(
                        "tensor '" + name + "' has a negative dimension");
            n = Math.multiplyExact(n, s);
        }
        if (values.byteSize() < n * Float.BYTES)
            throw new IllegalArgumentException(
                    "tensor '" + name + "' needs " + n + " floats, got " + values.byteSize() / 4);
        if (name.equals("__metadata__") || entries.stream().anyMatch(e -> e.name.equals(name)))
            throw new IllegalArgumentException("tensor name '" + name + "' is taken");
        entries.add(new Entry(name, shape.clone(), values.asSlice(0, n * Float.BYTES)));
        return this;
    }

    /** Writes the file (temporary file, then an atomic rename). */
    public void write(Path target) {
        AtomicFile.write(
                target,
                out -> {
                    StringBuilder h = new StringBuilder("{");
                    if (!metadata.isEmpty()) {
                        h.append("\"__metadata__\":{");
                        boolean first = true;
                        for (var m : metadata.entrySet()) {
                            if (!first) h.append(',');
                            first = false;
                            h.append(Json.quote(m.getKey()))
                                    .append(':')
                                    .append(Json.quote(m.getValue()));
                        }
                        h.append('}');
                    }
                    long offset = 0;
                    for (Entry e : entries) {
                        if (h.length() > 1) h.append(',');
                        long bytes = e.data.byteSize();
                        h.append(Json.quote(e.name)).append(":{\"dtype\":\"F32\",\"shape\":[");
                        for (int i = 0; i < e.shape.length; i++)
                            h.append(i == 0 ? "" : ",").append(e.shape[i]);
                        h.append("],\"data_offsets\":[")
                                .append(offset)
                                .append(',')
                                .append(offset + bytes)
                                .append("]}");
                        offset += bytes;
                    }
                    h.append('}');
                    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
                    int padded = (header.length + 7) & ~7;
                    ByteBuffer len =
                            ByteBuffer.allocate(8)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .putLong(0, padded);
                    out.write(len.array());
                    out.write(header);
                    for (int i = header.length; i < padded; i++) out.write(' ');
                    byte[] chunk = new byte[1 << 16];
                    for (Entry e : entries) {
                        long bytes = e.data.byteSize();
                        for (long at = 0; at < bytes; at += chunk.length) {
                            int n = (int) Math.min(chunk.length, bytes - at);
                            // little-endian on disk whatever the host order
                            MemorySegment.copy(e.data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) swap4(chunk, n);
                            out.write(chunk, 0, n);
                        }
                    }
                });
    }

    private static void swap4(byte[] b, int n) {
        for (int i = 0; i + 3 < n; i += 4) {
            byte t = b[i];
            b[i] = b[i + 3];
            b[i + 3] = t;
            t = b[i + 1];
            b[i + 1] = b[i + 2];
            b[i + 2] = t;
        }
    }
}
