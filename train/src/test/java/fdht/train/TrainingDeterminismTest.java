package fdht.train;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same training run gives the same weights bit for bit in two fresh JVMs, one of which first
 * trained another model so that C2 had compiled every kernel before the run began, while in the
 * other the run's first batches go through the interpreter and C1: no sum's order depends on the
 * JIT's state. This failed while the factor gradient summed its lanes with {@code reduceLanes(ADD)}
 * (two runs of one {@code fdht train --threads 1} command ended up to 1.8e-7 apart); {@code
 * BackwardDeterminismTest} checks the kernels themselves.
 */
class TrainingDeterminismTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"fdht", "dense"})
    void aRunGivesTheSameWeightsInAColdAndAWarmJvm(String format) throws Exception {
        Path cold = dir.resolve("cold.safetensors"), warm = dir.resolve("warm.safetensors");
        ChildJvm.run(0, cold.toString(), format, "-", "-", "cold");
        ChildJvm.run(0, warm.toString(), format, "-", "-", "warm");
        RunFiles.assertSameRun(cold, warm);
    }
}
