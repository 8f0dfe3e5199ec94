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
import fdht.train.data.ClipBatch;
import fdht.train.data.FashionMnist;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.NpyClips;
import fdht.train.data.Split;
import fdht.train.eval.ClassifierEvaluation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fdht data mfm} and {@code fdht eval}, on a small synthetic Fashion-MNIST (so the tests
 * need no installed data set).
 */
class DataEvalCliTest {
    @TempDir Path dir;

    private SyntheticFashionMnist fashion;

    @BeforeEach
    void syntheticFashionMnist() throws IOException {
        fashion = new SyntheticFashionMnist(dir, 30, 20);
    }

    @AfterEach
    void restore() {
        fashion.close();
    }

    /** An FDHT-LSTM taking 64x64 frames (H = 2) with a head of {@code classes} classes, or none. */
    private Path model(String name, int classes) {
        Path p = dir.resolve(name);
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {65, 64}, 2),
                                    5,
                                    arena),
                            4096,
                            new float[8],
                            arena);
            if (classes > 0) {
                float[] w = new float[classes * 2], bias = new float[classes];
                for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i * 1.3) * 3;
                for (int i = 0; i < classes; i++) bias[i] = (float) Math.cos(i) * 0.01f;
                lstm = lstm.withHead(new DenseHead(w, bias, classes, 2, arena));
            }
            LstmModelFile.write(lstm, p);
        }
        return p;
    }

    @Test
    void dataMfmWritesTheGeneratorsClipsAndLabels() {
        Path out = dir.resolve("mfm");
        Result r =
                CliTest.run(
                        "data",
                        "mfm",
                        "--split",
                        "test",
                        "--count",
                        "70",
                        "--seed",
                        "3",
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 70 clips of MFM-40 test images 0.."), r.out());
        MovingFashionMnist g =
                new MovingFashionMnist(FashionMnist.load(fashion.images(), Split.TEST), 3);
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array clips = NpyFile.read(out.resolve("clips.npy"), arena);
            NpyFile.Array labels = NpyFile.readInt64(out.resolve("labels.npy"), arena);
            assertArrayEquals(new long[] {70, 8, 4096}, clips.shape());
            assertArrayEquals(new long[] {70}, labels.shape());
            ClipBatch expect =
                    g.materialise(
                            0, 70,
                            arena); // 70 > the 64-clip chunk: the streamed write crosses a chunk
            assertEquals(
                    -1,
                    expect.clips().mismatch(clips.data()),
                    "clips.npy holds the generator's clips");
            for (int i = 0; i < 70; i++)
                assertEquals(
                        g.label(i),
                        labels.data().getAtIndex(ValueLayout.JAVA_LONG, i),
                        "label " + i);
        }
        r =
                CliTest.run(
                        "data",
                        "mfm",
                        "--split",
                        "sideways",
                        "--count",
                        "2",
                        "--out",
                        out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("split 'sideways'"), r.err());
        r = CliTest.run("data", "mfm", "--count", "0", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--count 0"), r.err());
        System.setProperty("fdht.fashionMnist", dir.resolve("nowhere").toString());
        r = CliTest.run("data", "mfm", "--count", "2", "--out", dir.resolve("none").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("apt-get install -y dataset-fashion-mnist"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aFailedRewriteLeavesTheEarlierRunsClipsAndLabelsAsTheyWere() throws IOException {
        Path out = dir.resolve("mfm");
        assertEquals(
                0,
                CliTest.run("data", "mfm", "--count", "3", "--seed", "1", "--out", out.toString())
                        .code());
        byte[] clips = Files.readAllBytes(out.resolve("clips.npy")),
                labels = Files.readAllBytes(out.resolve("labels.npy"));
        // fails after its outputs were declared: the images are gone
        System.setProperty("fdht.fashionMnist", dir.resolve("nowhere").toString());
        Result r =
                CliTest.run("data", "mfm", "--count", "3", "--seed", "2", "--out", out.toString());
        assertEquals(2, r.code(), r.out());
        assertArrayEquals(clips, Files.readAllBytes(out.resolve("clips.npy")));
        assertArrayEquals(labels, Files.readAllBytes(out.resolve("labels.npy")));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }

    @Test
    void evalScoresGeneratedAndFileClipsAlike() {
        Path model = model("m.safetensors", 40);
        Path out = dir.resolve("mfm");
        assertEquals(
                0,
                CliTest.run(
                                "data",
                                "mfm",
                                "--split",
                                "test",
                                "--count",
                                "9",
                                "--seed",
                                "4",
                                "--out",
                                out.toString())
                        .code());
        Result onTask =
                CliTest.run(
                        "eval",
                        "--model",
                        model.toString(),
                        "--task",
                        "mfm",
                        "--split",
                        "test",
                        "--count",
                        "9",
                        "--seed",
                        "4",
                        "--batch",
                        "4",
                        "--threads",
                        "2");
        assertEquals(0, onTask.code(), onTask.err());
        Result onFiles =
                CliTest.run(
                        "eval",
                        "--model",
                        model.toString(),
                        "--clips",
                        out.resolve("clips.npy").toString(),
                        "--labels",
                        out.resolve("labels.npy").toString());
        assertEquals(0, onFiles.code(), onFiles.err());
        String expected;
        try (Arena arena = Arena.ofShared()) {
            expected =
                    ClassifierEvaluation.evaluate(
                                    LstmModelFile.read(model, arena),
                                    NpyClips.open(
                                            out.resolve("clips.npy"),
                                            out.resolve("labels.npy"),
                                            arena),
                                    9,
                                    1)
                            .toString();
        }
        assertTrue(expected.contains(" of 9)"), expected);
        assertTrue(
                onTask.out().contains("seed 4 (9 clips): " + expected),
                onTask.out() + "\nexpected " + expected);
        assertTrue(onFiles.out().contains(expected), onFiles.out() + "\nexpected " + expected);
        // without --count: the whole split (20 synthetic test images)
        Result whole = CliTest.run("eval", "--model", model.toString(), "--task", "mfm");
        assertTrue(whole.out().contains(" of 20)"), whole.out());
    }

    @Test
    void evalScoresAStackedBidirectionalModel() {
        Path model = dir.resolve("stack.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            fdht.kernels.lstm.Lstm[][] layers = new fdht.kernels.lstm.Lstm[2][2];
            for (int d = 0; d < 2; d++) {
                layers[0][d] =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(new int[] {4, 2}, new int[] {65, 64}, 2),
                                        5 + d,
                                        arena),
                                4096,
                                new float[8],
                                arena);
                layers[1][d] =
                        Lstm.fdht(
                                HtMatrix.random(
                                        HtFormat.uniform(new int[] {4, 2}, new int[] {2, 3}, 2),
                                        7 + d,
                                        arena),
                                4,
                                new float[8],
                                arena);
            }
            float[] w = new float[40 * 4];
            for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i * 1.3) * 3;
            LstmModelFile.write(
                    fdht.kernels.lstm.LstmStack.of(
                            layers, new DenseHead(w, new float[40], 40, 4, arena)),
                    model);
        }
        Result r =
                CliTest.run(
                        "eval",
                        "--model",
                        model.toString(),
                        "--task",
                        "mfm",
                        "--count",
                        "6",
                        "--batch",
                        "4",
                        "--threads",
                        "2");
        assertEquals(0, r.code(), r.err());
        String expected;
        try (Arena arena = Arena.ofShared()) {
            expected =
                    ClassifierEvaluation.evaluate(
                                    LstmModelFile.readStack(model, arena),
                                    MovingFashionMnist.load(Split.TEST, 0).take(6),
                                    6,
                                    1)
                            .toString();
        }
        assertTrue(
                r.out().contains(expected) && r.out().contains("2 layers, bidirectional"),
                r.out() + "\nexpected " + expected);
    }

    @Test
    void evalRefusesWhatItCannotScore() throws IOException {
        Path out = dir.resolve("mfm");
        assertEquals(0, CliTest.run("data", "mfm", "--count", "3", "--out", out.toString()).code());
        String clips = out.resolve("clips.npy").toString(),
                labels = out.resolve("labels.npy").toString();

        expectError(
                new String[] {
                    "eval", "--model", model("headless.safetensors", 0).toString(), "--task", "mfm"
                },
                "has no head");
        expectError(
                new String[] {
                    "eval",
                    "--model",
                    model("ten.safetensors", 10).toString(),
                    "--clips",
                    clips,
                    "--labels",
                    labels
                },
                "but the model's head has 10 classes");
        Path m = model("m.safetensors", 40);
        expectError(
                new String[] {
                    "eval",
                    "--model",
                    m.toString(),
                    "--task",
                    "mfm",
                    "--clips",
                    clips,
                    "--labels",
                    labels
                },
                "either --task mfm or --clips");
        expectError(
                new String[] {"eval", "--model", m.toString(), "--clips", clips},
                "--clips needs --labels");
        expectError(
                new String[] {
                    "eval",
                    "--model",
                    m.toString(),
                    "--clips",
                    clips,
                    "--labels",
                    labels,
                    "--count",
                    "2"
                },
                "--count goes with --task, not --clips");
        expectError(
                new String[] {
                    "eval",
                    "--model",
                    m.toString(),
                    "--clips",
                    clips,
                    "--labels",
                    labels,
                    "--split",
                    "train"
                },
                "--split goes with --task");
        expectError(
                new String[] {"eval", "--model", m.toString(), "--task", "ucf"},
                "task 'ucf' is unknown");
        Path two = dir.resolve("two.npy");
        NpyFile.writeInt64(two, new long[] {2}, MemorySegment.ofArray(new long[] {1, 2}));
        expectError(
                new String[] {
                    "eval", "--model", m.toString(), "--clips", clips, "--labels", two.toString()
                },
                "2 labels for 3 clips");
        Path narrow = dir.resolve("narrow.npy");
        NpyFile.write(narrow, new long[] {3, 8, 100}, MemorySegment.ofArray(new float[2400]));
        expectError(
                new String[] {
                    "eval",
                    "--model",
                    m.toString(),
                    "--clips",
                    narrow.toString(),
                    "--labels",
                    labels
                },
                "100 wide but the model takes N_x = 4096");
        expectError(
                new String[] {
                    "eval", "--model", m.toString(), "--clips", labels, "--labels", labels
                },
                "not little-endian float32");
        assertFalse(Files.exists(dir.resolve("none")));
    }

    private static void expectError(String[] args, String fragment) {
        Result r = CliTest.run(args);
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.out());
        assertTrue(r.err().contains(fragment), "expected '" + fragment + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
    }
}
