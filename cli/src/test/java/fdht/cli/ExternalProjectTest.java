package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's embedding example from an external Maven project that depends on {@code
 * fdht-kernels} alone, built and run on the class path and on the module path by {@code
 * tools/external_project_check.sh --installed} (offline; the jars {@code mvn install} put in the
 * local repository before this module's tests). Skips, saying why, when Maven cannot resolve the
 * external project offline or the installed jars are not this tree's (under {@code mvn test}).
 */
class ExternalProjectTest {
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theReadmeExampleRunsFromAnExternalProjectOnTheClassPathAndTheModulePath()
            throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("tools/external_project_check.sh");
        Path log = Files.createTempFile("fdht-external", ".log");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder("bash", script.toString(), "--installed")
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            pb.environment().put("FDHT_MVN_OFFLINE", "1");
            int code = pb.start().waitFor();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Assumptions.assumeTrue(
                    code != 3, "Maven could not resolve the external project offline:\n" + out);
            Assumptions.assumeTrue(
                    code != 4, "the local repository does not hold this tree's jars:\n" + out);
            assertEquals(0, code, out);
            List<String> lines = out.lines().toList();
            List<String> predictions = lines.stream().filter(l -> l.contains(" +x [")).toList();
            assertEquals(2, predictions.size(), "one prediction per path:\n" + out);
            assertEquals(
                    predictions.get(0),
                    predictions.get(1),
                    "the same result on both paths:\n" + out);
            assertTrue(
                    lines.contains("fdht.kernels loaded as part of the class path")
                            && lines.contains("fdht.kernels loaded as module fdht.kernels"),
                    "one run per path:\n" + out);
            assertTrue(
                    !out.contains("using scalar kernels"),
                    "the vector kernels on both paths:\n" + out);
            assertTrue(
                    lines.getLast().equals("external project: class path and module path ok"), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
