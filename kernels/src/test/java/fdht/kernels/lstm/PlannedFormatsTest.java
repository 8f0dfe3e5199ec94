package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.layout.HtMatrix;
import fdht.layout.PlanFactors;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every planned layer format, whatever it is, through the one generic path: it computes the dense
 * LSTM its weights encode, and its model file (one layer, and a 2-layer bidirectional stack) reads
 * back bit for bit with the same format. A format added to {@link LayerFormat#PLANNED_KEYS} is
 * tested here without a line of this test changing.
 */
class PlannedFormatsTest {
    static final int N = 13, H = 3, FRAMES = 3, BATCH = 5;

    @TempDir Path dir;

    static Stream<String> plannedKeys() {
        return LayerFormat.PLANNED_KEYS.stream();
    }

    /** A layer of {@code key} with random weights (W entries of variance about 1/columns). */
    static Lstm layer(String key, int input, long seed, Arena arena) {
        var f =
                (LayerFormat.Planned)
                        LayerFormat.parse(
                                key, RankSpec.parse("3"), input, H, GateFactors.defaults(3));
        PlanFactors w = PlanFactors.random(f.matrix(), seed, arena);
        MemorySegment wh =
                f.coversHidden()
                        ? null
                        : Weights.copyOf(arena, LstmModelFileTest.random(4 * H * H, seed + 1, 0.4));
        return Lstm.planned(f, w, wh, LstmModelFileTest.random(4 * H, seed + 2, 0.2), arena);
    }

    /** {@code [W_ih W_hh]} of a planned layer, reconstructed densely from its weights. */
    static Lstm denseTwin(Lstm lstm, Arena arena) {
        PlannedProjection p = (PlannedProjection) lstm.projection();
        int cols = p.format().columns(), width = lstm.inputSize() + H;
        MemorySegment w =
                switch (p.weights()) {
                    case HtMatrix m -> DenseReconstruction.of(m, cols, arena);
                    case TtMatrix m -> DenseReconstruction.of(m, cols, arena);
                    default -> throw new IllegalStateException(p.weights().toString());
                };
        MemorySegment joined = Weights.floats(arena, 4L * H * width);
        for (int r = 0; r < 4 * H; r++) {
            MemorySegment.copy(
                    w,
                    (long) r * cols * Float.BYTES,
                    joined,
                    (long) r * width * Float.BYTES,
                    (long) cols * Float.BYTES);
            if (p.hiddenWeights().isPresent())
                MemorySegment.copy(
                        p.hiddenWeights().get(),
                        (long) r * H * Float.BYTES,
                        joined,
                        ((long) r * width + lstm.inputSize()) * Float.BYTES,
                        (long) H * Float.BYTES);
        }
        return Lstm.dense(joined, lstm.inputSize(), H, lstm.biasToArray(), arena);
    }

    @ParameterizedTest
    @MethodSource("plannedKeys")
    void aPlannedLayerComputesTheDenseLstmItsWeightsEncode(String key) {
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm = layer(key, N, 11, arena);
            assertEquals(key, lstm.format().key());
            assertEquals(lstm.format().parameterCount() + 4 * H, lstm.parameterCount());
            float[] clip = LstmModelFileTest.random(BATCH * FRAMES * N, 12, 1);
            float[] got = LstmModelFileTest.hidden(lstm, clip, FRAMES, BATCH, arena);
            float[] want =
                    LstmModelFileTest.hidden(denseTwin(lstm, arena), clip, FRAMES, BATCH, arena);
            // h is bounded by 1; each gate sum adds N + H products of entries below 1 per frame
            for (int i = 0; i < want.length; i++)
                assertEquals(want[i], got[i], 1e-6 * (N + H) * FRAMES, key + " at " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("plannedKeys")
    void itsModelFilesReadBackBitForBit(String key) {
        try (Arena arena = Arena.ofConfined()) {
            Lstm one = layer(key, N, 21, arena);
            Path p = dir.resolve(key + ".safetensors");
            LstmModelFile.write(one, p);
            Lstm back = LstmModelFile.read(p, arena);
            assertEquals(one.format(), back.format());
            float[] clip = LstmModelFileTest.random(BATCH * FRAMES * N, 22, 1);
            assertArrayEquals(
                    LstmModelFileTest.hidden(one, clip, FRAMES, BATCH, arena),
                    LstmModelFileTest.hidden(back, clip, FRAMES, BATCH, arena));
            try (Arena scratch = Arena.ofConfined()) {
                assertEquals(key, SafetensorsFile.open(p, scratch).meta("kind"));
            }

            Lstm[][] cells = new Lstm[2][2];
            for (int d = 0; d < 2; d++) {
                cells[0][d] = layer(key, N, 30 + d, arena);
                cells[1][d] = layer(key, 2 * H, 40 + d, arena);
            }
            LstmStack stack = LstmStack.of(cells, head(arena));
            Path s = dir.resolve(key + "-stack.safetensors");
            LstmModelFile.write(stack, s);
            LstmStack read = LstmModelFile.readStack(s, arena);
            for (int l = 0; l < 2; l++)
                for (int d = 0; d < 2; d++)
                    assertEquals(stack.layer(l, d).format(), read.layer(l, d).format());
            assertArrayEquals(run(stack, clip, arena), run(read, clip, arena), key + " stack");
        }
    }

    /** A head of 4 classes on a bidirectional stack's output. */
    static DenseHead head(Arena arena) {
        return new DenseHead(
                LstmModelFileTest.random(4 * 2 * H, 50, 1),
                LstmModelFileTest.random(4, 51, 1),
                4,
                2 * H,
                arena);
    }

    static float[] run(LstmStack stack, float[] clip, Arena arena) {
        int batch = clip.length / (FRAMES * stack.inputSize());
        MemorySegment out = Weights.floats(arena, (long) batch * FRAMES * stack.outputSize());
        MemorySegment logits = Weights.floats(arena, (long) batch * stack.headClasses());
        stack.run(
                Weights.copyOf(arena, clip),
                FRAMES,
                stack.newWorkspace(batch, FRAMES, arena),
                out,
                logits);
        float[] all = new float[batch * FRAMES * stack.outputSize() + batch * stack.headClasses()];
        MemorySegment.copy(
                out,
                java.lang.foreign.ValueLayout.JAVA_FLOAT,
                0,
                all,
                0,
                batch * FRAMES * stack.outputSize());
        MemorySegment.copy(
                logits,
                java.lang.foreign.ValueLayout.JAVA_FLOAT,
                0,
                all,
                batch * FRAMES * stack.outputSize(),
                batch * stack.headClasses());
        return all;
    }

    @Test
    void aDenseStackIsWrittenAsAPyTorchStateDictAndAMixedOneNotAtAll() {
        try (Arena arena = Arena.ofConfined()) {
            Lstm[][] cells = new Lstm[2][2];
            for (int l = 0; l < 2; l++)
                for (int d = 0; d < 2; d++)
                    cells[l][d] =
                            denseTwin(
                                    layer("fdht", l == 0 ? N : 2 * H, 60 + 2 * l + d, arena),
                                    arena);
            LstmStack dense = LstmStack.of(cells, head(arena));
            Path p = dir.resolve("dense.safetensors");
            LstmModelFile.write(dense, p);
            PytorchStateDict.Import im = PytorchStateDict.read(p, null, null, arena);
            assertEquals("", im.lstmPrefix(), "a bare nn.LSTM state dict");
            assertEquals("fc.", im.headPrefix());
            assertEquals(java.util.List.of(), im.ignored());
            float[] clip = LstmModelFileTest.random(BATCH * FRAMES * N, 61, 1);
            LstmStack back = LstmModelFile.readStack(p, arena);
            assertArrayEquals(run(dense, clip, arena), run(back, clip, arena));

            cells[1][1] = layer("tt", 2 * H, 70, arena);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    LstmModelFile.write(
                                            LstmStack.of(cells, null),
                                            dir.resolve("mixed.safetensors")));
            assertTrue(e.getMessage().contains("layer 1 reverse is TT"), e.getMessage());
        }
    }

    /** {@code from} with {@code was} in its JSON header replaced by {@code now}, as {@code to}. */
    static void rewriteMetadata(Path from, Path to, String was, String now) throws Exception {
        byte[] all = java.nio.file.Files.readAllBytes(from);
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        String header = new String(all, 8, n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains(was), header);
        header = header.strip().replace(was, now);
        header += " ".repeat(-header.length() & 7);
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer out =
                java.nio.ByteBuffer.allocate(8 + h.length + all.length - 8 - n)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(all, 8 + n, all.length - 8 - n);
        java.nio.file.Files.write(to, out.array());
    }

    @Test
    void aFileOfAnUnknownOrDenseKindIsRefusedNamingTheKey() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Path p = dir.resolve("m.safetensors");
            LstmModelFile.write(layer("fdht", N, 80, arena), p);
            for (String kind : new String[] {"gru", "dense"}) {
                Path bad = dir.resolve(kind + ".safetensors");
                rewriteMetadata(p, bad, "\"kind\":\"fdht\"", "\"kind\":\"" + kind + "\"");
                ModelFileException e =
                        assertThrows(
                                ModelFileException.class, () -> LstmModelFile.read(bad, arena));
                assertTrue(
                        e.getMessage().contains("'kind' = '" + kind + "' is not one of fdht"),
                        e.getMessage());
            }
        }
    }
}
