package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.cli.CliTest.Result;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's outputs succeed or fail together, and are checked before any work: what a new user
 * hit (issue 23) was {@code infer --hidden-out ok.npy --logits-out missing-dir/y.npy} exiting 2 but
 * leaving {@code ok.npy}.
 */
class OutputsCliTest {
    @TempDir Path dir;

    /**
     * Writes a one-layer model of 10 inputs, 2 hidden, with a 3-class head unless {@code head} is
     * off, into {@code dir}.
     */
    static Path model(Path dir, boolean head) {
        Path p = dir.resolve(head ? "m.safetensors" : "nohead.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                    1,
                                    arena),
                            10,
                            new float[8],
                            arena);
            if (head)
                lstm =
                        lstm.withHead(
                                new DenseHead(
                                        new float[] {1, 2, 3, 4, 5, 6},
                                        new float[] {0, 1, 2},
                                        3,
                                        2,
                                        arena));
            LstmModelFile.write(lstm, p);
        }
        return p;
    }

    /** Writes two clips of 3 frames of 10 into {@code dir}/clip.npy. */
    static Path clip(Path dir) {
        Path clip = dir.resolve("clip.npy");
        float[] v = new float[2 * 3 * 10];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i);
        NpyFile.write(clip, new long[] {2, 3, 10}, MemorySegment.ofArray(v));
        return clip;
    }

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void oneLineStatusTwo(Result r, String... contains) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
        for (String c : contains) assertTrue(r.err().contains(c), r.err());
    }

    @Test
    void inferWithAMissingOutputDirectoryWritesNoOutputAtAll() throws IOException {
        Path model = model(dir, true), clip = clip(dir);
        Path ok = dir.resolve("ok.npy"), missing = dir.resolve("missing-dir").resolve("y.npy");
        List<String> before = names(dir);
        Result r =
                CliTest.run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        ok.toString(),
                        "--logits-out",
                        missing.toString());
        oneLineStatusTwo(r, "missing-dir", "does not exist");
        assertEquals(before, names(dir), "neither ok.npy nor a temporary file was left");

        // an existing output keeps its old content when the command fails
        byte[] old = {1, 2, 3};
        Files.write(ok, old);
        r =
                CliTest.run(
                        "infer",
                        "--model",
                        model(dir, false).toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        ok.toString(),
                        "--logits-out",
                        dir.resolve("y.npy").toString());
        oneLineStatusTwo(r, "has no head");
        assertArrayEquals(old, Files.readAllBytes(ok));
        assertFalse(Files.exists(dir.resolve("y.npy")));

        r =
                CliTest.run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        ok.toString(),
                        "--logits-out",
                        ok.toString());
        oneLineStatusTwo(r, "named as two outputs");
        assertArrayEquals(old, Files.readAllBytes(ok));
    }

    @Test
    void inferWithoutAnOutputIsRefusedAndItsTimeSaysItIsCold() {
        Path model = model(dir, true), clip = clip(dir);
        Result r = CliTest.run("infer", "--model", model.toString(), "--input", clip.toString());
        oneLineStatusTwo(r, "--hidden-out", "--logits-out");

        Path y = dir.resolve("y.npy");
        r =
                CliTest.run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--logits-out",
                        y.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(y));
        assertTrue(
                r.out().contains("us per frame-step")
                        && r.out().contains("JIT warm-up included")
                        && r.out().contains("fdht bench"),
                r.out());
    }

    @Test
    void simulateChecksEveryOutputBeforeSimulatingAndWritesThemTogether() throws IOException {
        Path sweep = dir.resolve("sweep"), sensitivity = dir.resolve("sens");
        Result r =
                CliTest.run(
                        "simulate",
                        "--sweep",
                        sweep.toString(),
                        "--sensitivity",
                        sensitivity.toString(),
                        "--json",
                        dir.resolve("no-such-dir/c.json").toString());
        oneLineStatusTwo(r, "no-such-dir", "does not exist");
        assertEquals("", r.out(), "refused before simulating: nothing printed");
        assertEquals(List.of(), names(dir), "the directories it made for the sweep are gone again");

        Path json = dir.resolve("c.json");
        r =
                CliTest.run(
                        "simulate",
                        "--sweep",
                        sweep.toString(),
                        "--sensitivity",
                        sensitivity.toString(),
                        "--json",
                        json.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("sweep.csv", "sweep.png"), names(sweep));
        assertEquals(
                List.of("sensitivity-lstm-ucf.csv", "sensitivity-lstm-ucf.png"),
                names(sensitivity));
        assertTrue(Files.readString(json).contains("lstm-ucf"));
    }

    @Test
    void dataMfmWritesClipsAndLabelsTogether() throws IOException {
        try (SyntheticFashionMnist fashion = new SyntheticFashionMnist(dir, 10, 10)) {
            Path out = dir.resolve("mfm");
            Files.createDirectories(out.resolve("labels.npy")); // in the way of an output
            Result r = CliTest.run("data", "mfm", "--count", "3", "--out", out.toString());
            oneLineStatusTwo(r, "labels.npy", "is a directory");
            assertEquals(List.of("labels.npy"), names(out), "no clips.npy without its labels");

            Files.delete(out.resolve("labels.npy"));
            Path fresh = dir.resolve("fresh/mfm");
            r = CliTest.run("data", "mfm", "--count", "3", "--out", fresh.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(List.of("clips.npy", "labels.npy"), names(fresh));
        }
    }
}
