package fdht.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fdht.kernels.model.Model;
import fdht.kernels.model.Predictor;
import fdht.layout.io.NpyFile;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/oip_client.py, a client in Python's standard library only, against the server started for
 * real on loopback: a clip as JSON, as binary tensor data and frame by frame as a sequence, each
 * equal bit for bit to the model API's {@link Predictor}. Skipped, saying so, where python3 is
 * absent.
 */
class PythonClientTest {
    static boolean python() {
        try {
            Process p =
                    new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void thePythonClientGetsWhatThePredictorGives(@TempDir Path dir) throws Exception {
        assumeTrue(python(), "python3 is not on the PATH: the Python client is not tested here");
        Path client = Path.of("").toAbsolutePath().resolveSibling("tools/oip_client.py");
        try (Model model = Model.load(OipServerTest.bundled());
                OipServer server =
                        OipServer.start(
                                model, "mfm", ServeConfig.DEFAULT.withAddress("127.0.0.1", 0))) {
            int t = 6, n = model.inputSize();
            float[] clip = OipServerTest.random(t * n, 11);
            Path npy = dir.resolve("clip.npy");
            NpyFile.write(npy, new long[] {t, n}, MemorySegment.ofArray(clip));
            Process p =
                    new ProcessBuilder(
                                    "python3",
                                    client.toString(),
                                    "--url",
                                    "http://127.0.0.1:" + server.port(),
                                    "--model",
                                    "mfm",
                                    "--npy",
                                    npy.toString())
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(true, p.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            JsonNode got = new ObjectMapper().readTree(out);
            try (Predictor predictor = model.newPredictor()) {
                float[] want = new float[model.classes()];
                predictor.logits(MemorySegment.ofArray(clip), 1, t, want);
                assertArrayEquals(want, floats(got.get("json")), "JSON");
                assertArrayEquals(want, floats(got.get("binary")), "binary");
                for (int f = 0; f < t; f++) {
                    predictor.logits(
                            MemorySegment.ofArray(Arrays.copyOf(clip, (f + 1) * n)),
                            1,
                            f + 1,
                            want);
                    assertArrayEquals(
                            want, floats(got.get("sequence").get(f)), "sequence frame " + f);
                }
            }
        }
    }

    static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) a.get(i).doubleValue();
        return v;
    }
}
