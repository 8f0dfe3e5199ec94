package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command answers --help with exit 0: the Java subcommands in process, the launcher's own
 * through bash.
 */
class HelpTest {

    @Test
    void everyJavaSubcommandAnswersHelp() {
        var subcommands = new CommandLine(new Main()).getSubcommands().keySet();
        assertTrue(subcommands.contains("demo"), "subcommands: " + subcommands);
        for (String name : subcommands) {
            CliTest.Result r = CliTest.run(name, "--help");
            assertEquals(0, r.code(), name + " --help: " + r.err());
            assertTrue(r.out().contains("Usage"), name + " --help printed " + r.out());
        }
    }

    @Test
    void verboseWorksBeforeAndAfterTheSubcommand() {
        Path nope = Path.of("no-such-dir", "nope.safetensors");
        assertTrue(
                CliTest.run("inspect", "--model", nope.toString(), "--verbose")
                        .err()
                        .contains("at fdht."));
        assertTrue(
                CliTest.run("--verbose", "inspect", "--model", nope.toString())
                        .err()
                        .contains("at fdht."));
        assertEquals(
                1,
                CliTest.run("inspect", "--model", nope.toString()).err().strip().lines().count());
    }

    @Test
    void launcherCommandsAnswerHelpWithoutBuilding() throws Exception {
        Path launcher = Path.of("..", "fdht").toAbsolutePath().normalize();
        if (!Files.isRegularFile(launcher))
            throw new IllegalStateException("the launcher is not at " + launcher);
        for (List<String> args :
                List.of(
                        List.of("test", "--help"),
                        List.of("bench", "--help"),
                        List.of("bench", "-h"),
                        List.of("report", "--help"),
                        List.of("help", "bench"))) {
            String out = launch(launcher, args);
            assertTrue(
                    out.startsWith(
                            "Usage: ./fdht "
                                    + (args.getFirst().equals("help")
                                            ? args.get(1)
                                            : args.getFirst())),
                    args + " printed " + out);
        }
    }

    @Test
    void launcherWithoutFashionMnistFailsAsACommandLineErrorAndBuildsNothing() throws Exception {
        Path launcher = Path.of("..", "fdht").toAbsolutePath().normalize();
        var cmd =
                new java.util.ArrayList<>(
                        List.of(
                                "bash",
                                launcher.toString(),
                                "data",
                                "mfm",
                                "--count",
                                "2",
                                "--out",
                                "no-such-dir/mfm"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment()
                .put(
                        "FDHT_FASHION_MNIST",
                        Path.of("no-such-dir", "fashion").toAbsolutePath().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish");
        assertEquals(2, p.exitValue(), out + err);
        assertTrue(err.contains("dataset-fashion-mnist") && err.strip().lines().count() == 1, err);
    }

    private static String launch(Path launcher, List<String> args)
            throws IOException, InterruptedException {
        var cmd = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), args + " did not finish");
        assertEquals(0, p.exitValue(), args + ": " + out);
        return out;
    }
}
