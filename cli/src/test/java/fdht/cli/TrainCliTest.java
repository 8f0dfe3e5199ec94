package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.cli.CliTest.Result;
import fdht.kernels.lstm.LstmModelFile;
import fdht.train.Checkpoint;
import fdht.train.EpochLine;
import fdht.train.RunResult;
import fdht.train.TrainingRun;
import fdht.train.data.MovingFashionMnist;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fdht train} end to end on a tiny synthetic Fashion-MNIST: every format writes a model (and
 * its curve) that the other commands read; a dense model goes through {@code convert} and back into
 * {@code train --init}; bad options exit 2 with one line.
 */
class TrainCliTest {
    @TempDir Path dir;
    private SyntheticFashionMnist fashion;

    @BeforeEach
    void syntheticFashionMnist() throws IOException {
        fashion = new SyntheticFashionMnist(dir, 24, 24);
    }

    @AfterEach
    void restore() {
        fashion.close();
    }

    private Result train(String format, Path out, String... extra) {
        String[] base = {
            "train",
            "--task",
            "mfm",
            "--format",
            format,
            "--ranks",
            "2",
            "--hidden",
            "8",
            "--epochs",
            "2",
            "--batch",
            "4",
            "--limit",
            "8",
            "--test-limit",
            "4",
            "--out",
            out.toString()
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliTest.run(all);
    }

    @Test
    void everyFormatWritesAModelTheOtherCommandsRead() throws IOException {
        for (String format : fdht.kernels.format.LayerFormat.PLANNED_KEYS) {
            Path out = dir.resolve(format + ".safetensors");
            Result r = train(format, out, "--threads", "2");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("epoch 2/2:"), r.out());
            assertEquals(
                    3,
                    Files.readAllLines(TrainingRun.curvePath(out)).size(),
                    "header and two epochs");
            try (Arena arena = Arena.ofConfined()) {
                assertEquals(40, LstmModelFile.read(out, arena).head().orElseThrow().classes());
            }
            List<String> names = LstmModelFile.readLabels(out, 40);
            assertEquals(MovingFashionMnist.LABELS, names, "train writes MFM-40's class names");
            assertEquals("T-shirt/top +x", names.get(0));
            assertEquals("Trouser -y", names.get(4 + 3));
            assertEquals("Ankle boot -y", names.get(39));
            Path clips = dir.resolve("zeros.npy"), y = dir.resolve(format + "-y.npy");
            fdht.layout.io.NpyFile.write(
                    clips,
                    new long[] {5, 8, 4096},
                    java.lang.foreign.MemorySegment.ofArray(new float[5 * 8 * 4096]));
            Result infer =
                    CliTest.run(
                            "infer",
                            "--model",
                            out.toString(),
                            "--input",
                            clips.toString(),
                            "--logits-out",
                            y.toString());
            assertEquals(0, infer.code(), infer.err());
            assertTrue(
                    infer.out()
                            .matches(
                                    "(?s).*clip 0: [^;]+ [+-][xy] \\([01]\\.\\d\\d\\);.*\\(the first 3 of 5\\).*"),
                    "infer names the first clips' classes by their labels: " + infer.out());
            Result inspect = CliTest.run("inspect", "--model", out.toString());
            assertEquals(0, inspect.code(), inspect.err());
            if (format.equals("tt-input"))
                assertTrue(
                        inspect.out()
                                .lines()
                                .findFirst()
                                .orElseThrow()
                                .contains("TT-LSTM (TT on W_x, dense W_h)"),
                        inspect.out());
            Result simulate = CliTest.run("simulate", "--model", out.toString());
            assertEquals(0, simulate.code(), format + ": " + simulate.err());
            Result eval =
                    CliTest.run(
                            "eval",
                            "--model",
                            out.toString(),
                            "--task",
                            "mfm",
                            "--split",
                            "test",
                            "--count",
                            "4");
            assertEquals(0, eval.code(), eval.err());
            assertTrue(
                    eval.out()
                            .lines()
                            .anyMatch(
                                    l ->
                                            l.startsWith("weakest classes: ")
                                                    && l.matches(".*[+-][xy] .*")),
                    "eval names classes by their labels: " + eval.out());
        }
    }

    @Test
    void aDenseModelConvertsAndFineTunes() {
        Path dense = dir.resolve("dense.safetensors"),
                r2 = dir.resolve("r2.safetensors"),
                tuned = dir.resolve("tuned.safetensors");
        assertEquals(0, train("dense", dense).code());
        // the dense file is a PyTorch state dict; inspect and eval read it as it is
        assertEquals(0, CliTest.run("inspect", "--model", dense.toString()).code());
        Result e =
                CliTest.run(
                        "eval",
                        "--model",
                        dense.toString(),
                        "--task",
                        "mfm",
                        "--split",
                        "test",
                        "--count",
                        "4");
        assertEquals(0, e.code(), e.err());
        Result c =
                CliTest.run(
                        "convert",
                        "--from-pytorch",
                        dense.toString(),
                        "--out",
                        r2.toString(),
                        "--ranks",
                        "2");
        assertEquals(0, c.code(), c.err());
        Result t = train("fdht", tuned, "--init", r2.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("model: FDHT"), t.out());
    }

    @Test
    void aRunWithValidationKeepsTheBestModelAndResumesOnlyItsOwnConfiguration() throws IOException {
        Path out = dir.resolve("v.safetensors"), ckpt = Checkpoint.pathFor(out);
        Result r = train("fdht", out, "--val-count", "2", "--patience", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test (once, on the best epoch"), r.out());
        RunResult result = RunResult.read(RunResult.pathFor(out));
        assertEquals("2", result.option("--val-count"));
        assertTrue(result.command().startsWith("fdht train --task mfm"), result.command());
        assertEquals(EpochLine.HEADER, Files.readAllLines(TrainingRun.curvePath(out)).getFirst());
        // a finished run resumed: no training, the test scored again on its best model
        Result again = CliTest.run("train", "--resume", ckpt.toString(), "--lr", "0.0050");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("training had finished"), again.out());
        assertEquals(result.testCorrect(), RunResult.read(RunResult.pathFor(out)).testCorrect());
        Result other = CliTest.run("train", "--resume", ckpt.toString(), "--lr", "0.01");
        assertEquals(2, other.code(), other.out());
        assertTrue(
                other.err().contains("--lr 0.01 differs from the checkpoint's 0.005"), other.err());
        Result elsewhere =
                CliTest.run(
                        "train",
                        "--resume",
                        ckpt.toString(),
                        "--out",
                        dir.resolve("w.safetensors").toString());
        assertEquals(2, elsewhere.code(), elsewhere.out());
        assertTrue(elsewhere.err().contains("is not the checkpoint's model"), elsewhere.err());
    }

    @Test
    void givenFactorsShapeTheModelAndBadOnesNameTheirOption() {
        // hidden 8: 4H = 32 rows; a TT-LSTM's columns cover the 4,096 inputs alone
        Path out = dir.resolve("tt-input.safetensors");
        Result r = train("tt-input", out, "--row-factors", "4,2,2,2", "--col-factors", "16,16,4,4");
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            var f =
                    (fdht.kernels.format.LayerFormat.TtInput)
                            LstmModelFile.read(out, arena).format();
            assertEquals(
                    "TT 32x4096 m=[4, 2, 2, 2] n=[16, 16, 4, 4] ranks=[1, 2, 2, 2, 1]",
                    f.matrix().toString());
        }
        Result bad = train("tt-input", dir.resolve("b.safetensors"), "--col-factors", "2,2,2,2");
        assertEquals(2, bad.code());
        assertTrue(
                bad.err()
                        .startsWith(
                                "fdht train: --col-factors: column factors [2, 2, 2, 2] multiply to 16"),
                bad.err());
    }

    @Test
    void badOptionsExit2WithOneLine() {
        Path out = dir.resolve("x.safetensors");
        for (Result r :
                new Result[] {
                    train("cp", out),
                    train("fdht", out, "--ranks", "0"),
                    train("fdht", out, "--batch", "3", "--threads", "2"),
                    CliTest.run("train", "--task", "ucf", "--out", out.toString()),
                    train("fdht", out, "--init", dir.resolve("missing").toString()),
                    train("fdht", out, "--patience", "2"),
                    CliTest.run("train", "--resume", dir.resolve("none.ckpt").toString()),
                    train("fdht", dir.resolve("no/such/dir/m.safetensors"))
                }) {
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertTrue(!Files.exists(out));
    }
}
