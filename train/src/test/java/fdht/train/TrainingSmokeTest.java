package fdht.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.train.data.FashionMnist;
import fdht.train.data.LabelledClips;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.Split;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's training smoke test: an FDHT-LSTM (ranks 4, H 32) trained on a few hundred MFM-40 clips for
 * a few epochs must lower its training loss, beat chance (1/40) on its training clips and leave a
 * model file that the inference reader accepts. Skipped without Fashion-MNIST.
 */
class TrainingSmokeTest {
    @TempDir Path dir;

    @Test
    void fdhtLearnsOnAFewHundredClips() throws java.io.IOException {
        assumeTrue(
                Files.isDirectory(FashionMnist.defaultDirectory()),
                "dataset-fashion-mnist is not installed");
        LabelledClips train = MovingFashionMnist.load(Split.TRAIN, 1).take(320);
        LabelledClips test = MovingFashionMnist.load(Split.TEST, 1).take(200);
        Path out = dir.resolve("m.safetensors");
        // quiet by default: the log goes into the failure messages (and with
        // -Dfdht.test.verbose=true to stdout, the surefire output file)
        StringWriter log = new StringWriter();
        TrainingConfig c =
                new TrainingConfig(
                        "mfm", 1, 320, 0, 200, "fdht", "4", 32, null, 4, 0, 16, 7, 1, 0.01, 0, 1.0,
                        0.1, "", "");
        RunResult result =
                TrainingRun.run(
                        c,
                        out,
                        null,
                        new TrainingRun.Data(train, null, test),
                        "smoke",
                        new PrintWriter(log, true),
                        false);
        if (Boolean.getBoolean("fdht.test.verbose")) System.out.println(log);
        List<EpochLine> curve =
                Files.readAllLines(TrainingRun.curvePath(out)).stream()
                        .skip(1)
                        .map(EpochLine::parse)
                        .toList();
        assertEquals(4, curve.size(), "every epoch ran: " + curve + "\n" + log);
        assertTrue(
                curve.getLast().trainLoss() < curve.getFirst().trainLoss() - 0.05,
                "training loss fell: " + curve + "\n" + log);
        assertTrue(
                curve.getLast().trainAccuracy() > 2.0 / 40,
                "training accuracy above chance: " + curve + "\n" + log);
        assertEquals(4, result.bestEpoch(), "without validation the last epoch is kept");
        assertEquals(200, result.testClips());
        assertEquals(result, RunResult.read(RunResult.pathFor(out)), "the result file");
        assertTrue(Files.exists(out) && Files.exists(TrainingRun.curvePath(out)), log::toString);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            assertTrue(fdht.kernels.lstm.LstmModelFile.read(out, arena).head().isPresent());
        }
    }
}
