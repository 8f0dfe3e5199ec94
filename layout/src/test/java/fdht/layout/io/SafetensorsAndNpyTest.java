package fdht.layout.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsAndNpyTest {
    @TempDir Path dir;

    @Test
    void safetensorsRoundTripMapsF32InPlace() {
        Path f = dir.resolve("m.safetensors");
        float[] a = {1, 2, 3, 4, 5, 6};
        new SafetensorsWriter()
                .metadata("format", "fdht-lstm")
                .add("a", new long[] {2, 3}, a)
                .add("b", new long[] {1}, new float[] {-7})
                .write(f);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(f, arena);
            assertEquals("fdht-lstm", st.meta("format"));
            assertArrayEquals(new long[] {2, 3}, st.info("a").shape());
            MemorySegment s = st.floats("a", arena);
            assertTrue(s.isReadOnly(), "aligned F32 must be the mapping itself, used in place");
            assertArrayEquals(a, st.toArray("a"));
            assertArrayEquals(new float[] {-7}, st.toArray("b"));
        }
        assertEquals(0, countTempFiles(), "a finished write leaves no temporary file");
    }

    @Test
    void halfPrecisionIsConverted() throws IOException {
        // F16 1.5 = 0x3E00, BF16 -2 = 0xC000
        String header =
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},\"g\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}";
        Path f = raw(header, new byte[] {0x00, 0x3E, 0x00, (byte) 0xC0});
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(f, arena);
            assertArrayEquals(new float[] {1.5f}, st.toArray("h"));
            assertArrayEquals(new float[] {-2f}, st.toArray("g"));
        }
    }

    @Test
    // a hang guard, not a benchmark: rejecting each file takes well under a millisecond; the
    // bound is generous for a loaded two-core CI, and a separate thread ends a real hang
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hostileSafetensorsGiveTheDocumentedError() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        expectBad(Files.write(dir.resolve("empty"), new byte[0]), "truncated");
        expectBad(rawWithLength(Long.MAX_VALUE, ok, new byte[8]), "header length");
        expectBad(rawWithLength(-5, ok, new byte[8]), "header length");
        expectBad(rawWithLength(1_000_000, ok, new byte[8]), "truncated");
        expectBad(raw("{\"a\":", new byte[0]), "malformed JSON");
        expectBad(raw("[1,2]", new byte[0]), "not a JSON object");
        expectBad(raw(ok.replace("F32", "Q99"), new byte[8]), "unknown dtype");
        expectBad(raw(ok.replace("F32", "I64"), new byte[8]), "needs 16 bytes");
        expectBad(raw(ok.replace("[2]", "[-2]"), new byte[8]), "shape entry");
        expectBad(raw(ok.replace("[2]", "[3]"), new byte[8]), "needs 12 bytes");
        expectBad(
                raw(ok.replace("[0,8]", "[0,800]").replace("[2]", "[200]"), new byte[8]),
                "past the end");
        expectBad(raw(ok.replace("[0,8]", "[8,0]"), new byte[8]), "ordered pair");
        expectBad(
                raw(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]),
                "overlap");
        expectBad(
                raw(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        new byte[8]),
                "duplicate key");
        expectBad(raw("[".repeat(5000), new byte[0]), "nested deeper");
        expectBad(
                raw(ok.replace("[2]", "[4294967296,4294967296,4294967296]"), new byte[8]),
                "overflows");
        expectBad(dir.resolve("missing.safetensors"), "no such file");
        // integer tensors (BatchNorm's num_batches_tracked, say) may sit in a state dict; they are
        // not read as floats
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile st =
                    SafetensorsFile.open(
                            raw(ok.replace("F32", "I64").replace("[2]", "[1]"), new byte[8]),
                            arena);
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> st.floats("a", arena));
            assertTrue(
                    e.getMessage().contains("'a'")
                            && e.getMessage().contains("I64 is not a float type"),
                    e.getMessage());
            SafetensorsFile f64 =
                    SafetensorsFile.open(
                            raw(
                                    ok.replace("F32", "F64").replace("[2]", "[1]"),
                                    ByteBuffer.allocate(8)
                                            .order(ByteOrder.LITTLE_ENDIAN)
                                            .putDouble(0, -2.5)
                                            .array()),
                            arena);
            assertArrayEquals(new float[] {-2.5f}, f64.toArray("a"));
        }
        byte[] nan =
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(0, 1)
                        .putFloat(4, Float.NaN)
                        .array();
        Path withNan = raw(ok, nan);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(withNan, arena);
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> st.floats("a", arena));
            assertTrue(
                    e.getMessage().contains("'a'") && e.getMessage().contains("index 1"),
                    e.getMessage());
            e = assertThrows(ModelFileException.class, () -> st.info("zzz"));
            assertTrue(
                    e.getMessage().contains("'zzz'") && e.getMessage().contains("missing"),
                    e.getMessage());
        }
    }

    @Test
    void npyRoundTripAndHostileFiles() throws IOException {
        Path f = dir.resolve("x.npy");
        try (Arena arena = Arena.ofConfined()) {
            float[] v = new float[2 * 3 * 5];
            for (int i = 0; i < v.length; i++) v[i] = i * 0.5f;
            NpyFile.write(f, new long[] {2, 3, 5}, MemorySegment.ofArray(v));
            NpyFile.Array a = NpyFile.read(f, arena);
            assertArrayEquals(new long[] {2, 3, 5}, a.shape());
            float[] back = new float[v.length];
            MemorySegment.copy(a.data(), ValueLayout.JAVA_FLOAT, 0, back, 0, v.length);
            assertArrayEquals(v, back);
            NpyFile.write(
                    dir.resolve("one.npy"),
                    new long[] {4},
                    MemorySegment.ofArray(new float[] {1, 2, 3, 4}));
            assertArrayEquals(new long[] {4}, NpyFile.read(dir.resolve("one.npy"), arena).shape());
        }
        byte[] good = Files.readAllBytes(f);
        expectBadNpy(
                Files.write(dir.resolve("t.npy"), Arrays.copyOf(good, good.length - 3)),
                "truncated");
        byte[] bad = good.clone();
        bad[1] = 'X';
        expectBadNpy(Files.write(dir.resolve("m.npy"), bad), "magic");
        String h = new String(good, StandardCharsets.ISO_8859_1);
        expectBadNpy(
                Files.write(
                        dir.resolve("d.npy"),
                        h.replace("<f4", "<f8").getBytes(StandardCharsets.ISO_8859_1)),
                "float32");
        expectBadNpy(
                Files.write(
                        dir.resolve("o.npy"),
                        h.replace("'fortran_order': False", "'fortran_order': True ")
                                .getBytes(StandardCharsets.ISO_8859_1)),
                "C order");
        expectBadNpy(
                Files.write(
                        dir.resolve("s.npy"),
                        h.replace("(2, 3, 5)", "(2, 3, 9)").getBytes(StandardCharsets.ISO_8859_1)),
                "needs");
        expectBadNpy(
                Files.write(
                        dir.resolve("n.npy"),
                        h.replace("(2, 3, 5)", "(2, -3, 5)").getBytes(StandardCharsets.ISO_8859_1)),
                "non-negative");
        bad = good.clone();
        bad[8] = (byte) 0xff;
        bad[9] = (byte) 0xff;
        expectBadNpy(Files.write(dir.resolve("l.npy"), bad), "truncated");
    }

    @Test
    void npyInt64AndStreamedFloat32() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            long[] labels = {0, 39, -5, Long.MAX_VALUE};
            Path l = dir.resolve("labels.npy");
            NpyFile.writeInt64(l, new long[] {4}, MemorySegment.ofArray(labels));
            NpyFile.Array a = NpyFile.readInt64(l, arena);
            assertArrayEquals(new long[] {4}, a.shape());
            for (int i = 0; i < 4; i++)
                assertEquals(labels[i], a.data().getAtIndex(ValueLayout.JAVA_LONG, i));
            assertEquals(
                    0, (Files.size(l) - 4 * Long.BYTES) % 64, "the data starts 64-byte aligned");
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> NpyFile.read(l, arena));
            assertTrue(
                    e.getMessage().contains("'<i8' is not little-endian float32"), e.getMessage());

            // streamed rows give the same file as one write of the whole array
            float[] v = new float[7 * 2 * 3];
            for (int i = 0; i < v.length; i++) v[i] = i * 0.25f;
            Path whole = dir.resolve("whole.npy"), streamed = dir.resolve("streamed.npy");
            NpyFile.write(whole, new long[] {7, 2, 3}, MemorySegment.ofArray(v));
            NpyFile.write(
                    streamed,
                    new long[] {7, 2, 3},
                    3,
                    (first, count, out) -> {
                        assertTrue(count <= 3 && first % 3 == 0);
                        MemorySegment.copy(
                                v, (int) first * 6, out, ValueLayout.JAVA_FLOAT, 0, count * 6);
                    });
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
            e = assertThrows(ModelFileException.class, () -> NpyFile.readInt64(whole, arena));
            assertTrue(e.getMessage().contains("not little-endian int64"), e.getMessage());
        }
        Path failed = dir.resolve("failed.npy");
        assertThrows(
                IllegalStateException.class,
                () ->
                        NpyFile.write(
                                failed,
                                new long[] {5, 4},
                                2,
                                (first, count, out) -> {
                                    if (first >= 2)
                                        throw new IllegalStateException("source failed");
                                }));
        try (var files = Files.list(dir)) {
            assertTrue(
                    files.noneMatch(f -> f.getFileName().toString().contains("failed")),
                    "no file and no temporary left behind");
        }
        byte[] good = Files.readAllBytes(dir.resolve("labels.npy"));
        expectBadInt64(
                Files.write(dir.resolve("lt.npy"), Arrays.copyOf(good, good.length - 8)),
                "truncated");
    }

    private void expectBadInt64(Path f, String fragment) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> NpyFile.readInt64(f, arena));
            assertTrue(
                    e.getMessage().contains(fragment),
                    "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    private void expectBad(Path f, String fragment) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> SafetensorsFile.open(f, arena));
            assertTrue(
                    e.getMessage().contains(fragment),
                    "expected '" + fragment + "' in: " + e.getMessage());
            assertTrue(
                    e.getMessage().contains(f.getFileName().toString()),
                    "message must name the file: " + e.getMessage());
        }
    }

    private void expectBadNpy(Path f, String fragment) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> NpyFile.read(f, arena));
            assertTrue(
                    e.getMessage().contains(fragment),
                    "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    private int n;

    private Path raw(String header, byte[] data) throws IOException {
        return rawWithLength(header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    private Path rawWithLength(long length, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(h).put(data);
        return Files.write(dir.resolve("f" + (n++) + ".safetensors"), b.array());
    }

    private long countTempFiles() {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void failedWriteLeavesNothing() {
        Path target = dir.resolve("no-such-dir").resolve("x.safetensors");
        assertThrows(
                ModelFileException.class,
                () ->
                        new SafetensorsWriter()
                                .add("a", new long[] {1}, new float[] {1})
                                .write(target));
        assertFalse(Files.exists(target));
    }
}
