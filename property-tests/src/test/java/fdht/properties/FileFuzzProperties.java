package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing the file readers: valid model files and clips, mutated (bit flips, truncation, header
 * edits with huge or negative numbers, overlapping or out-of-range offsets, wrong dtypes, garbage
 * appended), must either load or fail with {@link ModelFileException} alone, without allocating
 * more than a small multiple of the file on the heap, and promptly. Would fail on any other
 * exception escaping (an IndexOutOfBounds, a NumberFormat, an OutOfMemoryError from a size taken on
 * trust) or on a parse that hangs. Inputs that once failed live in {@code
 * src/test/resources/fuzz-corpus} and are replayed by {@link #corpus()}.
 */
class FileFuzzProperties {
    static Path dir;
    static byte[] model;
    static byte[] stack;
    static byte[] torch;
    static byte[] clip;

    @BeforeContainer
    static void makeValidFiles() throws IOException {
        dir = Files.createTempDirectory("fdht-fuzz");
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm =
                    Lstm.fdht(
                                    HtMatrix.random(
                                            HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                            1,
                                            arena),
                                    10,
                                    new float[8],
                                    arena)
                            .withHead(
                                    new fdht.kernels.lstm.DenseHead(
                                            new float[] {1, 2, 3, 4, 5, 6},
                                            new float[] {0, 1, 2},
                                            3,
                                            2,
                                            arena));
            Path m = dir.resolve("valid.safetensors");
            LstmModelFile.write(lstm, m);
            model = Files.readAllBytes(m);
            // a version-2 file: two bidirectional layers, FDHT and TT, each under its own prefix
            Lstm[][] cells = new Lstm[2][2];
            for (int d = 0; d < 2; d++) {
                cells[0][d] =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                        2 + d,
                                        arena),
                                10,
                                new float[8],
                                arena);
                cells[1][d] =
                        Lstm.tt(
                                fdht.layout.TtMatrix.random(
                                        new fdht.layout.TtFormat(
                                                new int[] {4, 2},
                                                new int[] {2, 3},
                                                new int[] {1, 2, 1}),
                                        4 + d,
                                        arena),
                                4,
                                new float[8],
                                arena);
            }
            Path s = dir.resolve("stack.safetensors");
            LstmModelFile.write(
                    fdht.kernels.lstm.LstmStack.of(
                            cells,
                            new fdht.kernels.lstm.DenseHead(
                                    new float[8], new float[2], 2, 4, arena)),
                    s);
            stack = Files.readAllBytes(s);
            // a PyTorch state dict: lstm.* of nn.LSTM(3, 2, num_layers=2, bidirectional=True), an
            // fc head, an unused tensor
            fdht.layout.io.SafetensorsWriter w = new fdht.layout.io.SafetensorsWriter();
            for (int l = 0; l < 2; l++) {
                for (String dir : new String[] {"", "_reverse"}) {
                    int in = l == 0 ? 3 : 4;
                    w.add("lstm.weight_ih_l" + l + dir, new long[] {8, in}, new float[8 * in])
                            .add("lstm.weight_hh_l" + l + dir, new long[] {8, 2}, new float[16])
                            .add("lstm.bias_ih_l" + l + dir, new long[] {8}, new float[8])
                            .add("lstm.bias_hh_l" + l + dir, new long[] {8}, new float[8]);
                }
            }
            Path t = dir.resolve("torch.safetensors");
            w.add("fc.weight", new long[] {3, 4}, new float[12])
                    .add("fc.bias", new long[] {3}, new float[3])
                    .add("embedding.weight", new long[] {5, 3}, new float[15])
                    .write(t);
            torch = Files.readAllBytes(t);
            Path c = dir.resolve("valid.npy");
            NpyFile.write(c, new long[] {2, 3, 10}, MemorySegment.ofArray(new float[60]));
            clip = Files.readAllBytes(c);
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** One mutation: kind, position (fraction of the file), value. */
    record Mutation(int kind, double where, long value) {}

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one =
                Combinators.combine(
                                Arbitraries.integers().between(0, 6),
                                Arbitraries.doubles().between(0, 1),
                                Arbitraries.oneOf(
                                        Arbitraries.longs(),
                                        Arbitraries.of(
                                                -1L,
                                                0L,
                                                1L,
                                                255L,
                                                65_535L,
                                                1L << 31,
                                                1L << 32,
                                                Long.MAX_VALUE,
                                                Long.MIN_VALUE)))
                        .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    static final String[] HEADER_WORDS = {
        "\"F32\"",
        "\"F16\"",
        "\"I64\"",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"shape\"",
        "\"data_offsets\"",
        "\"dtype\"",
        "\"ranks\"",
        "\"__metadata__\""
    };

    static byte[] mutate(byte[] original, List<Mutation> ms) {
        byte[] b = original.clone();
        for (Mutation m : ms) {
            int at = (int) Math.min(b.length - 1, Math.max(0, (long) (m.where() * b.length)));
            switch (m.kind()) {
                case 0 -> b[at] ^= (byte) (1 << (int) Math.floorMod(m.value(), 8)); // bit flip
                case 1 -> b = Arrays.copyOf(b, at); // truncation
                case 2 -> { // an 8-byte little-endian number anywhere (header length, offsets in
                    // the data)
                    for (int i = 0; i < 8 && at + i < b.length; i++)
                        b[at + i] = (byte) (m.value() >>> (8 * i));
                }
                case 3 ->
                        b =
                                replaceNumber(
                                        b,
                                        at,
                                        Long.toString(
                                                m.value())); // a number inside the header text
                case 4 ->
                        b =
                                insert(
                                        b,
                                        at,
                                        HEADER_WORDS[
                                                (int)
                                                        Math.floorMod(
                                                                m.value(),
                                                                HEADER_WORDS.length)]); // JSON
                // structure
                case 5 -> b = insert(b, b.length, "garbage" + m.value()); // appended bytes
                default ->
                        b =
                                replaceNumber(
                                        b, at, "-" + Math.abs(m.value() % 1000)); // negative sizes
            }
            if (b.length == 0) break;
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[b.length + t.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(t, 0, out, at, t.length);
        System.arraycopy(b, at, out, at + t.length, b.length - at);
        return out;
    }

    /** Replaces the run of digits at or after {@code at} with {@code text}. */
    private static byte[] replaceNumber(byte[] b, int at, String text) {
        int s = at;
        while (s < b.length && !Character.isDigit(b[s])) s++;
        if (s >= b.length) return b;
        int e = s;
        while (e < b.length && Character.isDigit(b[e])) e++;
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[b.length - (e - s) + t.length];
        System.arraycopy(b, 0, out, 0, s);
        System.arraycopy(t, 0, out, s, t.length);
        System.arraycopy(b, e, out, s + t.length, b.length - e);
        return out;
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    /**
     * Parses {@code bytes} with {@code reader}: only ModelFileException may escape; heap use stays
     * bounded, and a hang fails the try.
     */
    static void parse(
            byte[] bytes, String name, java.util.function.BiConsumer<Path, Arena> reader) {
        Path f = dir.resolve(name);
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a hang guard and an allocation guard, not a benchmark: a valid file of this size parses
        // in well under a millisecond; the bound is generous for a loaded two-core CI. The parse
        // runs in the guard's thread and measures its own heap there.
        long heap =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(60), () -> heapOfParse(f, name, reader));
        assertTrue(
                heap < 64L * bytes.length + (4 << 20),
                name
                        + " allocated "
                        + heap
                        + " bytes on the heap for a "
                        + bytes.length
                        + "-byte file");
    }

    private static long heapOfParse(
            Path f, String name, java.util.function.BiConsumer<Path, Arena> reader) {
        long before = allocated();
        try (Arena arena = Arena.ofConfined()) {
            reader.accept(f, arena);
        } catch (ModelFileException expected) {
            // the documented failure
        } catch (Throwable other) {
            fail(
                    "a mutated " + name + " raised " + other + " instead of ModelFileException",
                    other);
        }
        return allocated() - before;
    }

    @Property(tries = 10_000)
    void mutatedModelFilesFailOnlyWithModelFileException(@ForAll("mutations") List<Mutation> ms) {
        parse(mutate(model, ms), "m.safetensors", (p, a) -> LstmModelFile.read(p, a));
    }

    @Property(tries = 5_000)
    void mutatedStackFilesFailOnlyWithModelFileException(@ForAll("mutations") List<Mutation> ms) {
        parse(mutate(stack, ms), "s.safetensors", (p, a) -> LstmModelFile.readStack(p, a));
    }

    @Property(tries = 3_000)
    void mutatedPytorchStateDictsFailOnlyWithModelFileException(
            @ForAll("mutations") List<Mutation> ms) {
        parse(
                mutate(torch, ms),
                "t.safetensors",
                (p, a) -> fdht.kernels.lstm.PytorchStateDict.read(p, null, null, a));
    }

    @Property(tries = 10_000)
    void mutatedClipsFailOnlyWithModelFileException(@ForAll("mutations") List<Mutation> ms) {
        parse(mutate(clip, ms), "c.npy", (p, a) -> NpyFile.read(p, a));
    }

    @Example
    void corpus() throws IOException, java.net.URISyntaxException {
        Path root = Path.of(FileFuzzProperties.class.getResource("/fuzz-corpus").toURI());
        try (Stream<Path> files = Files.list(root)) {
            for (Path f : files.sorted().toList()) {
                byte[] b = Files.readAllBytes(f);
                if (f.toString().endsWith(".npy"))
                    parse(b, "corpus.npy", (p, a) -> NpyFile.read(p, a));
                else parse(b, "corpus.safetensors", (p, a) -> LstmModelFile.readStack(p, a));
            }
        }
    }
}
