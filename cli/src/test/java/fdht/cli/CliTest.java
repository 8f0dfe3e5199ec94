package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.lstm.FdhtProjection;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.io.NpyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void bundledModelIsTheOneItsSeedsMake() {
        try (Arena arena = Arena.ofConfined()) {
            Lstm bundled = DefaultModel.load(arena), built = DefaultModel.build(arena);
            HtMatrix a = ((FdhtProjection) bundled.projection()).weights(), b = ((FdhtProjection) built.projection()).weights();
            assertEquals(b.format(), a.format());
            float[][] x = a.toArrays(), y = b.toArrays();
            for (int t = 0; t < x.length; t++) assertArrayEquals(y[t], x[t], "node " + t + ": regenerate with DefaultModel.main");
            assertArrayEquals(built.biasToArray(), bundled.biasToArray());
        }
    }

    @Test
    void inferWritesHiddenStatesAndLogitsAndRejectsBadClips() throws Exception {
        Path model = dir.resolve("m.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm = Lstm.fdht(HtMatrix.random(HtFormat.uniform(new int[]{4, 2}, new int[]{3, 4}, 2), 1, arena), 10, new float[8], arena)
                    .withHead(new fdht.kernels.lstm.DenseHead(new float[]{1, 2, 3, 4, 5, 6}, new float[]{0, 1, 2}, 3, 2, arena));
            LstmModelFile.write(lstm, model);
        }
        Path clip = dir.resolve("clip.npy");
        float[] v = new float[2 * 3 * 10];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i);
        NpyFile.write(clip, new long[]{2, 3, 10}, MemorySegment.ofArray(v));
        Path h = dir.resolve("h.npy"), y = dir.resolve("y.npy");
        Result r = run("infer", "--model", model.toString(), "--input", clip.toString(), "--hidden-out", h.toString(), "--logits-out", y.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new long[]{2, 3, 2}, NpyFile.read(h, arena).shape());
            NpyFile.Array logits = NpyFile.read(y, arena);
            assertArrayEquals(new long[]{2, 3}, logits.shape());
            assertTrue(Float.isFinite(logits.data().getAtIndex(ValueLayout.JAVA_FLOAT, 5)));
        }

        NpyFile.write(clip, new long[]{3, 7}, MemorySegment.ofArray(new float[21]));
        Path h2 = dir.resolve("h2.npy");
        r = run("infer", "--model", model.toString(), "--input", clip.toString(), "--hidden-out", h2.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("7 wide") && r.err().contains("N_x = 10"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
        assertFalse(Files.exists(h2), "nothing written on failure");

        float[] bad = new float[30];
        bad[17] = Float.NaN;
        NpyFile.write(clip, new long[]{3, 10}, MemorySegment.ofArray(bad));
        r = run("infer", "--model", model.toString(), "--input", clip.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("frame 1") && r.err().contains("index 7"), r.err());
    }

    @Test
    void errorsAreOneLineWithStatusTwo() throws Exception {
        Result r = run("inspect", "--model", dir.resolve("nope.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Files.writeString(dir.resolve("junk.safetensors"), "garbage!garbage!garbage!");
        r = run("inspect", "--model", dir.resolve("junk.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("junk.safetensors"), r.err());
        r = run("infer", "--model", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--input"), r.err());
        r = run("bogus");
        assertEquals(2, r.code());
        r = run("inspect", "--model", dir.resolve("nope.safetensors").toString(), "--verbose");
        assertTrue(r.err().contains("at fdht."), "--verbose adds the stack trace");
        assertEquals(0, run("--help").code());
        assertEquals(0, run("infer", "--help").code());
    }
}
