package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LstmModelFileTest {
    @TempDir Path dir;

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    /** Runs a clip and returns every step's h. */
    static float[] hidden(Lstm lstm, float[] clip, int frames, int batch, Arena arena) {
        MemorySegment c = Weights.copyOf(arena, clip);
        MemorySegment out = Weights.floats(arena, (long) batch * frames * lstm.hiddenSize());
        lstm.run(c, frames, lstm.newState(batch, arena), lstm.newWorkspace(batch, arena), out);
        return Weights.toArray(out, 0, batch * frames * lstm.hiddenSize());
    }

    @Test
    void fdhtTtAndHtInputModelsRoundTripBitForBit() {
        int input = 37, hidden = 4, frames = 3, batch = 2;
        try (Arena arena = Arena.ofConfined()) {
            HtFormat f = HtFormat.uniform(new int[] {4, 2, 2}, new int[] {3, 3, 5}, 3);
            DenseHead head =
                    new DenseHead(random(5 * hidden, 3, 1), random(5, 4, 1), 5, hidden, arena);
            Lstm fdht =
                    Lstm.fdht(
                                    HtMatrix.random(f, 1, arena),
                                    input,
                                    random(4 * hidden, 2, 0.1),
                                    arena)
                            .withHead(head);
            Lstm tt =
                    Lstm.tt(
                            TtMatrix.random(
                                    TtFormat.uniform(new int[] {4, 2, 2}, new int[] {3, 3, 5}, 3),
                                    5,
                                    arena),
                            input,
                            random(16, 6, 0.1),
                            arena);
            HtFormat fx = HtFormat.uniform(new int[] {4, 2, 2}, new int[] {2, 4, 5}, 2);
            Lstm htInput =
                    Lstm.htInput(
                            HtMatrix.random(fx, 7, arena),
                            Weights.copyOf(arena, random(16 * hidden, 8, 0.3)),
                            input,
                            random(16, 9, 0.1),
                            arena);
            float[] clip = random(batch * frames * input, 10, 1);
            for (Lstm lstm : new Lstm[] {fdht, tt, htInput}) {
                Path p = dir.resolve("m.safetensors");
                LstmModelFile.write(lstm, p);
                Lstm back = LstmModelFile.read(p, arena);
                assertEquals(lstm.describe(), back.describe());
                assertArrayEquals(
                        hidden(lstm, clip, frames, batch, arena),
                        hidden(back, clip, frames, batch, arena),
                        lstm.describe());
            }
            Lstm back = LstmModelFile.read(dir.resolve("m.safetensors"), arena);
            assertTrue(back.head().isEmpty());
        }
    }

    @Test
    void brokenModelsNameWhatIsWrong() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Path p = dir.resolve("m.safetensors");
            Lstm fdht =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                    1,
                                    arena),
                            10,
                            new float[8],
                            arena);
            LstmModelFile.write(fdht, p);
            String header = Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
            expect(p, header.replace("\"ranks\":\"2,2,1\"", "\"ranks\":\"2,2,3\""), "root", arena);
            expect(
                    p,
                    header.replace("\"hidden_size\":\"2\"", "\"hidden_size\":\"x\""),
                    "hidden_size",
                    arena);
            expect(p, header.replace("\"kind\":\"fdht\"", "\"kind\":\"cnn1\""), "kind", arena);
            expect(
                    p,
                    header.replace("\"input_size\":\"10\"", "\"input_size\":\"99\""),
                    "N_x + H",
                    arena);
        }
    }

    private void expect(Path original, String content, String fragment, Arena arena)
            throws Exception {
        Path q = dir.resolve("broken.safetensors");
        Files.writeString(q, content, java.nio.charset.StandardCharsets.ISO_8859_1);
        ModelFileException e =
                assertThrows(ModelFileException.class, () -> LstmModelFile.read(q, arena));
        assertTrue(
                e.getMessage().contains(fragment),
                "expected '" + fragment + "' in " + e.getMessage());
        assertTrue(
                !content.equals(
                        Files.readString(original, java.nio.charset.StandardCharsets.ISO_8859_1)),
                "the test did not change the file");
    }
}
