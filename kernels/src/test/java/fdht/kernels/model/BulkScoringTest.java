package fdht.kernels.model;

import static fdht.kernels.model.Fixtures.CLASSES;
import static fdht.kernels.model.Fixtures.INPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk scoring gives, for every source, chunk size and thread count, exactly what one run of the
 * stack over the whole input gives, in input order, to every destination; and a failure leaves no
 * output file behind.
 */
class BulkScoringTest {
    static final int FRAMES = 3, BATCH = 37;

    @TempDir Path dir;

    /** Every kind of source over the same clips. */
    private List<ClipSource> sources(float[] clips, Arena shared, Path npy) {
        NpyFile.write(npy, new long[] {BATCH, FRAMES, INPUT}, MemorySegment.ofArray(clips));
        float[][][] arrays = Fixtures.arrays(clips, BATCH, FRAMES);
        return List.of(
                ClipSource.npy(npy),
                ClipSource.of(
                        Weights.copyOf(shared, clips).asSlice(0, clips.length * 4L), BATCH, FRAMES),
                ClipSource.of(MemorySegment.ofArray(clips), BATCH, FRAMES),
                ClipSource.of(arrays),
                ClipSource.of(Arrays.asList(arrays).iterator()),
                ClipSource.of(
                        BATCH,
                        FRAMES,
                        INPUT,
                        (first, n, into) ->
                                MemorySegment.copy(
                                        clips,
                                        (int) first * FRAMES * INPUT,
                                        into,
                                        ValueLayout.JAVA_FLOAT,
                                        0,
                                        n * FRAMES * INPUT)));
    }

    @Test
    void everySourceChunkAndThreadCountGivesTheStacksResultInOrder() {
        float[] clips = Fixtures.clips(BATCH, FRAMES, 5);
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            LstmStack stack = model.stack();
            float[][] ref = Fixtures.reference(stack, clips, BATCH, FRAMES);
            int width = stack.outputSize();
            for (int chunk : new int[] {1, 5, 16, 37, 100, 0}) {
                for (int threads = 1; threads <= 3; threads++) {
                    for (ClipSource source : sources(clips, arena, dir.resolve("c.npy"))) {
                        String what = source + ", chunk " + chunk + ", threads " + threads;
                        BulkOptions o = BulkOptions.DEFAULT.withChunk(chunk).withThreads(threads);
                        BulkScores s = model.score(source, o);
                        assertEquals(BATCH, s.clips(), what);
                        assertArrayEquals(ref[1], s.logits(), what);
                        for (int b = 0; b < BATCH; b++) {
                            float[] z = s.logits(b);
                            int top = 0;
                            for (int k = 1; k < CLASSES; k++) if (z[k] > z[top]) top = k;
                            assertEquals(top, s.top(b));
                            assertEquals(Integer.toString(top), s.label(b));
                        }
                        // the same through a sink (in order, whole) and into segments
                        if (!(source instanceof IteratorClipSource) || chunk == 5) {
                            ClipSource again =
                                    source instanceof IteratorClipSource
                                            ? ClipSource.of(
                                                    Arrays.asList(
                                                                    Fixtures.arrays(
                                                                            clips, BATCH, FRAMES))
                                                            .iterator())
                                            : source;
                            float[] y = new float[BATCH * CLASSES],
                                    h = new float[BATCH * FRAMES * width];
                            long[] next = {0};
                            model.score(
                                    again,
                                    o.withOutputs(Outputs.BOTH),
                                    (first, n, logits, hidden) -> {
                                        assertEquals(next[0], first, "in order: " + what);
                                        next[0] += n;
                                        MemorySegment.copy(
                                                logits,
                                                ValueLayout.JAVA_FLOAT,
                                                0,
                                                y,
                                                (int) first * CLASSES,
                                                n * CLASSES);
                                        MemorySegment.copy(
                                                hidden,
                                                ValueLayout.JAVA_FLOAT,
                                                0,
                                                h,
                                                (int) first * FRAMES * width,
                                                n * FRAMES * width);
                                    });
                            assertEquals(BATCH, next[0]);
                            assertArrayEquals(ref[1], y, what);
                            assertArrayEquals(ref[0], h, what);
                        }
                    }
                }
            }
            MemorySegment y = Weights.floats(arena, BATCH * CLASSES),
                    h = MemorySegment.ofArray(new float[BATCH * FRAMES * width]);
            BulkScores s =
                    model.score(
                            ClipSource.of(Fixtures.arrays(clips, BATCH, FRAMES)),
                            BulkOptions.DEFAULT.withChunk(4).withLogitsInto(y).withHiddenInto(h));
            assertFalse(s.hasLogits(), "they went to the segment");
            assertThrows(IllegalStateException.class, () -> s.logits(0));
            assertArrayEquals(ref[1], Weights.toArray(y, 0, BATCH * CLASSES));
            assertArrayEquals(ref[0], h.toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void filesAreWrittenChunkByChunkWithTheirShapesAlsoForAnIterator() {
        float[] clips = Fixtures.clips(BATCH, FRAMES, 9);
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            float[][] ref = Fixtures.reference(model.stack(), clips, BATCH, FRAMES);
            for (ClipSource source :
                    List.of(
                            ClipSource.of(Fixtures.arrays(clips, BATCH, FRAMES)),
                            ClipSource.of(
                                    Arrays.asList(Fixtures.arrays(clips, BATCH, FRAMES))
                                            .iterator()))) {
                Path y = dir.resolve("y.npy"), h = dir.resolve("h.npy");
                BulkScores s =
                        model.score(
                                source,
                                BulkOptions.DEFAULT
                                        .withChunk(8)
                                        .withThreads(2)
                                        .withLogitsFile(y)
                                        .withHiddenFile(h));
                assertEquals(BATCH, s.clips());
                NpyFile.Array ya = NpyFile.read(y, arena), ha = NpyFile.read(h, arena);
                assertArrayEquals(new long[] {BATCH, CLASSES}, ya.shape());
                assertArrayEquals(new long[] {BATCH, FRAMES, 8}, ha.shape());
                assertArrayEquals(ref[1], ya.data().toArray(ValueLayout.JAVA_FLOAT));
                assertArrayEquals(ref[0], ha.data().toArray(ValueLayout.JAVA_FLOAT));
            }
            // no clip at all: empty arrays
            Path y = dir.resolve("empty.npy");
            BulkScores s =
                    model.score(
                            ClipSource.of(List.<float[][]>of().iterator()),
                            BulkOptions.DEFAULT.withLogitsFile(y));
            assertEquals(0, s.clips());
            assertArrayEquals(new long[] {0, CLASSES}, NpyFile.read(y, arena).shape());
        }
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anNpyTruncatedAfterItsSourceWasMadeFailsNamingItAndNoFileIsWritten() throws IOException {
        float[] clips = Fixtures.clips(BATCH, FRAMES, 5);
        Path npy = dir.resolve("c.npy"), y = dir.resolve("y.npy");
        NpyFile.write(npy, new long[] {BATCH, FRAMES, INPUT}, MemorySegment.ofArray(clips));
        ClipSource source = ClipSource.npy(npy); // the header checked against the whole file
        try (var ch = java.nio.channels.FileChannel.open(npy, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - (long) FRAMES * INPUT * Float.BYTES); // the last clip gone
        }
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            ModelFileException e =
                    assertThrows(
                            ModelFileException.class,
                            () ->
                                    model.score(
                                            source,
                                            BulkOptions.DEFAULT
                                                    .withChunk(4)
                                                    .withThreads(2)
                                                    .withLogitsFile(y)));
            assertTrue(e.getMessage().contains("c.npy"), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertFalse(Files.exists(y), "no output written");
        }
    }

    @Test
    void aNonFiniteClipFailsTheWholeCallNamingItAndNoFileIsWritten() throws IOException {
        float[] clips = Fixtures.clips(BATCH, FRAMES, 4);
        clips[(29 * FRAMES + 2) * INPUT + 5] = Float.POSITIVE_INFINITY;
        Path npy = dir.resolve("c.npy"), y = dir.resolve("y.npy"), h = dir.resolve("h.npy");
        NpyFile.write(npy, new long[] {BATCH, FRAMES, INPUT}, MemorySegment.ofArray(clips));
        Files.write(y, new byte[] {1, 2, 3});
        List<String> before = names();
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            for (int threads = 1; threads <= 3; threads++) {
                int t = threads;
                NonFiniteInputException e =
                        assertThrows(
                                NonFiniteInputException.class,
                                () ->
                                        model.score(
                                                ClipSource.npy(npy),
                                                BulkOptions.DEFAULT
                                                        .withChunk(4)
                                                        .withThreads(t)
                                                        .withLogitsFile(y)
                                                        .withHiddenFile(h)));
                assertEquals(29, e.clip());
                assertEquals(2, e.frame());
                assertEquals(5, e.index());
                assertEquals(before, names(), "no output, no staging file");
                assertArrayEquals(
                        new byte[] {1, 2, 3}, Files.readAllBytes(y), "the old file stands");
                // a failing sink fails the call, too
                List<Long> seen = new ArrayList<>();
                RuntimeException boom = new IllegalStateException("sink full");
                RuntimeException got =
                        assertThrows(
                                RuntimeException.class,
                                () ->
                                        model.score(
                                                ClipSource.of(
                                                        Fixtures.arrays(
                                                                Fixtures.clips(BATCH, FRAMES, 1),
                                                                BATCH,
                                                                FRAMES)),
                                                BulkOptions.DEFAULT.withChunk(4).withThreads(t),
                                                (first, n, l, hh) -> {
                                                    seen.add(first);
                                                    if (first == 8) throw boom;
                                                }));
                assertEquals(boom, got);
                assertEquals(List.of(0L, 4L, 8L), seen, "no chunk after the failure");
            }
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWork() {
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.single(arena, true), List.of());
                Model headless = Model.of(Fixtures.single(arena, false), List.of())) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    model.score(
                                            ClipSource.of(new float[2][3][7]),
                                            BulkOptions.DEFAULT));
            assertTrue(
                    e.getMessage()
                            .contains("clips of 7 values a frame, expected the model's N_x = 90"),
                    e.getMessage());
            IllegalStateException s =
                    assertThrows(
                            IllegalStateException.class,
                            () ->
                                    headless.score(
                                            ClipSource.of(new float[2][3][INPUT]),
                                            BulkOptions.DEFAULT));
            assertTrue(s.getMessage().contains("has no head"), s.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    headless.score(
                                            ClipSource.of(new float[2][3][INPUT]),
                                            BulkOptions.DEFAULT.withOutputs(Outputs.HIDDEN)));
            assertTrue(
                    e.getMessage().contains("hidden outputs need a destination"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    model.score(
                                            ClipSource.of(new float[2][3][INPUT]),
                                            BulkOptions.DEFAULT.withLogitsInto(
                                                    MemorySegment.ofArray(new float[5]))));
            assertTrue(
                    e.getMessage()
                            .contains("logits segment of 5 floats, expected at least B x C = 6"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    BulkOptions.DEFAULT
                                            .withOutputs(Outputs.LOGITS)
                                            .withHiddenFile(Path.of("h.npy")));
            assertTrue(e.getMessage().contains("outputs is LOGITS"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    ClipSource.of(
                                            new float[][][] {
                                                new float[2][INPUT], new float[2][INPUT + 1]
                                            }));
            assertTrue(e.getMessage().contains("clip 1, frame 0 has 91 values"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    model.score(
                                            ClipSource.of(
                                                    List.of(
                                                                    new float[2][INPUT],
                                                                    new float[3][INPUT])
                                                            .iterator()),
                                            BulkOptions.DEFAULT.withChunk(1)));
            assertTrue(e.getMessage().contains("clip 1 has 3 frames, expected 2"), e.getMessage());
            ModelFileException m =
                    assertThrows(
                            ModelFileException.class,
                            () ->
                                    model.score(
                                            ClipSource.of(new float[2][3][INPUT]),
                                            BulkOptions.DEFAULT.withLogitsFile(
                                                    dir.resolve("no/such/y.npy"))));
            assertTrue(m.getMessage().contains("does not exist"), m.getMessage());
        }
    }

    @Test
    void aSegmentOrStackConfinedToTheCallerIsScoredOnTheCallerAlone() {
        float[] clips = Fixtures.clips(BATCH, FRAMES, 2);
        try (Arena shared = Arena.ofShared();
                Arena confined = Arena.ofConfined();
                Model model = Model.of(Fixtures.single(shared, true), List.of())) {
            float[][] ref = Fixtures.reference(model.stack(), clips, BATCH, FRAMES);
            BulkScores s =
                    model.score(
                            ClipSource.of(
                                    Weights.copyOf(confined, clips).asSlice(0, clips.length * 4L),
                                    BATCH,
                                    FRAMES),
                            BulkOptions.DEFAULT.withThreads(2).withChunk(4));
            assertEquals(1, s.threads());
            assertArrayEquals(ref[1], s.logits());
            // a model wrapping a stack in the caller's confined arena: no WrongThreadException
            try (Model local = Model.of(Fixtures.single(confined, true), List.of())) {
                s =
                        local.score(
                                ClipSource.of(Fixtures.arrays(clips, BATCH, FRAMES)),
                                BulkOptions.DEFAULT.withThreads(2).withChunk(4));
                assertEquals(1, s.threads());
                assertArrayEquals(ref[1], s.logits());
            }
            s =
                    model.score(
                            ClipSource.of(Fixtures.arrays(clips, BATCH, FRAMES)),
                            BulkOptions.DEFAULT.withThreads(2).withChunk(4));
            assertEquals(2, s.threads(), "a shared stack scores on both");
        }
    }

    @Test
    void theAutomaticChunkIsAMultipleOfTheLanesWhoseWorkingSetFitsInL2() throws IOException {
        try (Model model = Model.load(Fixtures.bundled())) {
            LstmStack stack = model.stack();
            int lanes = ChunkSize.lanes(stack);
            for (long l2 : new long[] {1L << 16, 1L << 20, 1280L << 10, 1L << 22}) {
                int chunk = ChunkSize.automatic(stack, 8, false, 0, l2);
                assertEquals(0, chunk % lanes, "l2 " + l2);
                assertTrue(chunk >= lanes);
                if (chunk > lanes)
                    assertTrue(
                            ChunkSize.workingSet(stack, chunk, 8, false) <= l2,
                            "chunk " + chunk + " for l2 " + l2);
                assertTrue(
                        ChunkSize.workingSet(stack, chunk + lanes, 8, false) > l2 - 26_000,
                        "the largest that fits: chunk " + chunk + " for l2 " + l2);
            }
            assertEquals(
                    lanes * Math.ceilDiv(3, lanes),
                    ChunkSize.automatic(stack, 8, false, 3, 1L << 22),
                    "at most the clips per thread, in whole lane groups");
        }
        Path cache = Files.createDirectories(dir.resolve("index2"));
        Files.writeString(cache.resolve("level"), "2\n");
        Files.writeString(cache.resolve("size"), "1280K\n");
        assertEquals(1280L << 10, ChunkSize.l2Bytes(cache, 1));
        Files.writeString(cache.resolve("size"), "2M\n");
        assertEquals(2L << 20, ChunkSize.l2Bytes(cache, 1));
        Files.writeString(cache.resolve("size"), "lots\n");
        assertEquals(1, ChunkSize.l2Bytes(cache, 1));
        Files.writeString(cache.resolve("level"), "3\n");
        Files.writeString(cache.resolve("size"), "32M\n");
        assertEquals(1, ChunkSize.l2Bytes(cache, 1), "not an L2");
        assertEquals(1, ChunkSize.l2Bytes(dir.resolve("none"), 1));
    }
}
