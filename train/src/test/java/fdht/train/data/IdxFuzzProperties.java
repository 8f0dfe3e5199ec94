package fdht.train.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fdht.layout.io.ModelFileException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Mutated IDX files, plain and gzip: only {@link ModelFileException} escapes, and heap and time
 * stay bounded.
 */
class IdxFuzzProperties {
    private static final byte[] PLAIN;
    private static final byte[] GZIP;

    static {
        byte[] data = new byte[6 * 28 * 28];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        PLAIN = IdxFixtures.idx(0x08, new int[] {6, 28, 28}, data);
        GZIP = IdxFixtures.gzip(PLAIN);
    }

    /**
     * kind 0: bit flip, 1: truncation, 2: big-endian int32 written at a position, 3: appended
     * bytes.
     */
    record Mutation(int kind, double where, int value) {}

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one =
                Combinators.combine(
                                Arbitraries.integers().between(0, 3),
                                Arbitraries.doubles().between(0, 1),
                                Arbitraries.oneOf(
                                        Arbitraries.integers(),
                                        Arbitraries.of(
                                                -1,
                                                0,
                                                1,
                                                28,
                                                255,
                                                1 << 20,
                                                Integer.MAX_VALUE,
                                                Integer.MIN_VALUE)))
                        .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    static byte[] mutate(byte[] original, List<Mutation> ms, boolean headerBiased) {
        byte[] b = original.clone();
        for (Mutation m : ms) {
            if (b.length == 0) break;
            // in the plain file, most interesting bytes are the 16-byte header: aim half the
            // mutations there
            double w = headerBiased && m.value() % 2 == 0 ? m.where() * 16.0 / b.length : m.where();
            int at = (int) Math.min(b.length - 1, Math.max(0, (long) (w * b.length)));
            switch (m.kind()) {
                case 0 -> b[at] ^= (byte) (1 << Math.floorMod(m.value(), 8));
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    for (int i = 0; i < 4 && at + i < b.length; i++)
                        b[at + i] = (byte) (m.value() >>> (24 - 8 * i));
                }
                default -> b = Arrays.copyOf(b, b.length + 1 + Math.floorMod(m.value(), 64));
            }
        }
        return b;
    }

    @Property(tries = 1_000)
    void mutatedPlainFilesFailOnlyWithModelFileException(@ForAll("mutations") List<Mutation> ms)
            throws IOException {
        parse(mutate(PLAIN, ms, true));
    }

    @Property(tries = 1_000)
    void mutatedGzipFilesFailOnlyWithModelFileException(@ForAll("mutations") List<Mutation> ms)
            throws IOException {
        parse(mutate(GZIP, ms, false));
    }

    private static void parse(byte[] bytes) throws IOException {
        Path f = Files.createTempFile("fuzz", ".idx");
        try {
            Files.write(f, bytes);
            // a hang guard, not a benchmark (a file parses in well under a millisecond), generous
            // for a loaded two-core CI; the parse runs in the guard's thread and measures its heap
            long heap = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> heapOfParse(f));
            assertTrue(
                    heap < (8L << 20),
                    "allocated " + heap + " bytes for a " + bytes.length + "-byte file");
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** Parses {@code f}: only ModelFileException may escape; returns the bytes it allocated. */
    private static long heapOfParse(Path f) {
        long before = allocated();
        try {
            // a bound a little above the real size: a grown header must be refused, not allocated
            IdxFile.read(f, 3, 10L * 28 * 28);
        } catch (ModelFileException expected) {
            assertTrue(expected.getMessage().contains(f.toString()), expected.getMessage());
        } catch (Throwable other) {
            fail("a mutated IDX file raised " + other + " instead of ModelFileException", other);
        }
        return allocated() - before;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
