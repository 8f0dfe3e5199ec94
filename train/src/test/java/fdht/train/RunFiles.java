package fdht.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.layout.io.SafetensorsFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Comparisons of the files two runs left, for the tests that want them bit-identical. */
final class RunFiles {
    private RunFiles() {}

    /**
     * The two runs writing {@code a} and {@code b} ended in the same state: every tensor of their
     * last checkpoints (parameters and Adam's moments) bit for bit, the same model files, the same
     * curves and results but for the seconds.
     */
    static void assertSameRun(Path a, Path b) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile ca = SafetensorsFile.open(Checkpoint.pathFor(a), arena),
                    cb = SafetensorsFile.open(Checkpoint.pathFor(b), arena);
            assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
            for (String t : ca.tensors().keySet())
                assertArrayEquals(ca.toArray(t), cb.toArray(t), "checkpoint tensor " + t);
            for (String k : List.of("epochs_done", "updates", "best_epoch", "best_val_accuracy"))
                assertEquals(ca.meta(k), cb.meta(k), "checkpoint " + k);
        }
        assertEquals(-1, Files.mismatch(a, b), "the model files differ");
        List<String> la = Files.readAllLines(TrainingRun.curvePath(a)),
                lb = Files.readAllLines(TrainingRun.curvePath(b));
        assertEquals(la.size(), lb.size());
        for (int i = 1; i < la.size(); i++) {
            EpochLine x = EpochLine.parse(la.get(i)), y = EpochLine.parse(lb.get(i));
            assertEquals(withoutTime(x), withoutTime(y), "curve line " + i);
        }
        RunResult ra = RunResult.read(RunResult.pathFor(a)),
                rb = RunResult.read(RunResult.pathFor(b));
        assertEquals(ra.options(), rb.options());
        assertEquals(ra.bestEpoch(), rb.bestEpoch());
        assertEquals(ra.epochsRun(), rb.epochsRun());
        assertEquals(ra.testCorrect(), rb.testCorrect());
        assertEquals(ra.testLoss(), rb.testLoss());
        assertEquals(ra.valLoss(), rb.valLoss());
    }

    private static EpochLine withoutTime(EpochLine l) {
        return new EpochLine(
                l.epoch(),
                l.trainLoss(),
                l.trainAccuracy(),
                l.valLoss(),
                l.valAccuracy(),
                0,
                l.learningRate());
    }
}
