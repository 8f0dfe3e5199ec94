package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.cli.CliTest.Result;
import fdht.layout.io.NpyFile;
import fdht.layout.io.SafetensorsFile;
import fdht.layout.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numpy-only safetensors of {@code tools/safetensors_np.py} and the docs' Python examples that
 * use it, run with a real {@code python3}: skipped, saying so, where no {@code python3} with numpy
 * (or, for the PyTorch example, torch) is installed ({@code apt-get install python3-numpy
 * python3-torch}).
 */
class PythonToolsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path TOOLS = ROOT.resolve("tools");

    @TempDir Path dir;

    /** The first of PATH's python3 and Debian's that imports {@code modules}, if any. */
    static Optional<String> python(String modules) {
        for (String p : List.of("python3", "/usr/bin/python3")) {
            try {
                Process pr =
                        new ProcessBuilder(p, "-c", "import " + modules)
                                .redirectErrorStream(true)
                                .start();
                pr.getInputStream().readAllBytes();
                if (pr.waitFor(120, TimeUnit.SECONDS) && pr.exitValue() == 0) return Optional.of(p);
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static String require(String modules) {
        Optional<String> p = python(modules);
        Assumptions.assumeTrue(
                p.isPresent(),
                "skipped: no python3 here imports "
                        + modules
                        + " (apt-get install python3-numpy python3-torch)");
        return p.get();
    }

    /** Runs {@code script} with {@code python} in {@link #dir}, tools/ on its path; its stdout. */
    private String run(String python, String script) throws Exception {
        Path file = dir.resolve("script.py");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder(python, file.toString()).directory(dir.toFile());
        pb.environment().put("PYTHONPATH", TOOLS.toString());
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python timed out");
        assertEquals(
                0, p.exitValue(), "python failed: " + Files.readString(dir.resolve("stderr.txt")));
        return out;
    }

    @Test
    void numpyWritesWhatFdhtReadsAndReadsWhatFdhtWrites() throws Exception {
        String python = require("numpy");
        run(
                python,
                """
                import numpy as np
                from safetensors_np import save_file
                save_file({"a": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
                           "b": np.array([1.5, -2.25]),                # float64: fdht reads it as floats
                           "steps": np.array([7], dtype=np.int64)},    # a counter fdht skips
                          "np.safetensors", metadata={"format": "test", "n": "3"})
                """);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = SafetensorsFile.open(dir.resolve("np.safetensors"), arena);
            assertEquals("test", f.meta("format"));
            assertEquals("3", f.meta("n"));
            assertArrayEquals(new long[] {2, 3}, f.info("a").shape());
            assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, f.toArray("a"));
            assertArrayEquals(new float[] {1.5f, -2.25f}, f.toArray("b"));
        }

        new SafetensorsWriter()
                .metadata("kind", "fdht")
                .add("w", new long[] {2, 2}, new float[] {1, -2, 3.5f, 1e-3f})
                .write(dir.resolve("fdht.safetensors"));
        String out =
                run(
                        python,
                        """
                        from safetensors_np import load_file, load_metadata
                        t = load_file("fdht.safetensors")
                        print(load_metadata("fdht.safetensors")["kind"], t["w"].dtype, t["w"].shape,
                              " ".join(repr(float(x)) for x in t["w"].ravel()))
                        """);
        assertEquals("fdht float32 (2, 2) 1.0 -2.0 3.5 0.0010000000474974513", out.strip());
    }

    /** The Python block of docs/FORMAT.md's "Writing one with numpy alone", as the page has it. */
    static String formatExample() throws IOException {
        return formatExample(0);
    }

    /**
     * Python block {@code k} (0: FDHT, 1: TT-LSTM) of docs/FORMAT.md's "Writing one with numpy
     * alone".
     */
    static String formatExample(int k) throws IOException {
        String md = Files.readString(ROOT.resolve("docs/FORMAT.md"));
        int start = md.indexOf("### Writing one with numpy alone");
        for (int i = 0; i <= k; i++)
            start = md.indexOf("```python\n", start) + "```python\n".length();
        return md.substring(start, md.indexOf("```", start));
    }

    @Test
    void formatMdsTtLstmExampleWritesATtLstmFdhtRuns() throws Exception {
        String python = require("numpy");
        run(python, formatExample(1));
        Result inspect =
                CliTest.run(
                        "inspect", "--model", dir.resolve("ucf-tt-lstm.safetensors").toString());
        assertEquals(0, inspect.code(), inspect.err());
        String first = inspect.out().lines().findFirst().orElseThrow();
        assertTrue(
                first.contains(
                        "TT-LSTM (TT on W_x, dense W_h): TT 1024x57600 m=[16, 4, 4, 4] n=[8, 20, 20, 18] ranks=[1, 4, 4, 4, 1], dense W_h 1024x256"),
                first);
    }

    @Test
    void formatMdsNumpyExampleWritesAModelFdhtRuns() throws Exception {
        String python = require("numpy");
        run(python, formatExample());
        Path model = dir.resolve("ucf-fdht.safetensors");
        Result inspect = CliTest.run("inspect", "--model", model.toString());
        assertEquals(0, inspect.code(), inspect.err());
        Path clip = dir.resolve("clip.npy"), h = dir.resolve("h.npy");
        NpyFile.write(clip, new long[] {1, 57_600}, MemorySegment.ofArray(new float[57_600]));
        Result infer =
                CliTest.run(
                        "infer",
                        "--model",
                        model.toString(),
                        "--input",
                        clip.toString(),
                        "--hidden-out",
                        h.toString());
        assertEquals(0, infer.code(), infer.err());
    }

    @Test
    void usagesPytorchFlowWithoutTheSafetensorsPackageConverts() throws Exception {
        String python = require("numpy, torch");
        // docs/USAGE.md's numpy-only way of saving a state dict, on a classifier as PyTorch users
        // write one
        run(
                python,
                """
                import sys; sys.path.insert(0, "/path/to/fdht/tools")   # as USAGE.md has it
                import torch
                from safetensors_np import save_file
                class Classifier(torch.nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.lstm = torch.nn.LSTM(12, 5, batch_first=True)
                        self.head = torch.nn.Linear(5, 3)
                torch.manual_seed(0)
                model = Classifier()
                save_file({k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}, "model.safetensors")
                """);
        Path out = dir.resolve("fdht.safetensors");
        Result r =
                CliTest.run(
                        "convert",
                        "--from-pytorch",
                        dir.resolve("model.safetensors").toString(),
                        "--out",
                        out.toString(),
                        "--ranks",
                        "full");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out));
    }
}
