package fdht.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run killed (as by {@code kill -9}) after epoch 1, after epoch 2 or half way through epoch 3,
 * and resumed from its checkpoint in a new JVM, ends with the same weights, Adam state, model file,
 * curve and result, bit for bit, as the run left alone (one thread; 256 clips, batch 32, hidden 8,
 * 4 epochs with validation). A run killed during an epoch resumes from the last whole one.
 */
class TrainingResumeTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0} killed {1}")
    @CsvSource({
        "fdht, after:1, 1",
        "fdht, after:2, 2",
        "fdht, during:3, 2",
        "dense, after:2, 2",
        "tt, during:2, 1",
        "tt-input, after:1, 1"
    })
    void aResumedRunEndsAsTheRunLeftAlone(String format, String halt, int resumedAfter)
            throws Exception {
        Path alone = dir.resolve("alone.safetensors"), cut = dir.resolve("cut.safetensors");
        ChildJvm.run(0, alone.toString(), format, "-", "-", "cold");
        String killed = ChildJvm.run(3, cut.toString(), format, "-", halt, "cold");
        assertTrue(killed.contains("halting at:"), killed);
        assertFalse(Files.exists(RunResult.pathFor(cut)), "the killed run did not finish");
        String resumed =
                ChildJvm.run(
                        0, cut.toString(), format, Checkpoint.pathFor(cut).toString(), "-", "cold");
        assertTrue(
                resumed.contains("after epoch " + resumedAfter + " of " + TrainingChild.EPOCHS),
                resumed);
        RunFiles.assertSameRun(alone, cut);
    }
}
