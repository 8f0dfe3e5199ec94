package fdht.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsFile;
import fdht.layout.io.SafetensorsWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is untrusted input: a truncated file, a model file, a checkpoint of another
 * configuration, and checkpoints whose progress, curve or tensors were tampered with are each
 * refused by {@code --resume} with a message naming what is wrong, before any training.
 */
class CheckpointTest {
    @TempDir Path dir;
    private Path model;
    private Path good;
    private final TrainingConfig config = TrainingChild.config("fdht");

    @BeforeEach
    void aRunOfTwoEpochs() {
        model = dir.resolve("m.safetensors");
        TrainingConfig two =
                new TrainingConfig(
                        "random", 0, 256, 64, 64, "fdht", "3", 8, null, 2, 0, 32, 5, 1, 0.01, 0,
                        1.0, 0.05, "", "");
        TrainingRun.run(two, model, null, TrainingChild.data(), "t", quiet(), false);
        good = Checkpoint.pathFor(model);
    }

    private static PrintWriter quiet() {
        return new PrintWriter(Writer.nullWriter());
    }

    /** Resumes {@code ckpt} as a run of {@code c}; returns the failure's message. */
    private String refusal(TrainingConfig c, Path ckpt, Class<? extends Exception> type) {
        Exception e =
                assertThrows(
                        type,
                        () ->
                                TrainingRun.run(
                                        c, model, ckpt, TrainingChild.data(), "t", quiet(), false));
        return e.getMessage();
    }

    private String refusal(Path ckpt) {
        return refusal(config(2), ckpt, ModelFileException.class);
    }

    private static TrainingConfig config(int epochs) {
        return new TrainingConfig(
                "random", 0, 256, 64, 64, "fdht", "3", 8, null, epochs, 0, 32, 5, 1, 0.01, 0, 1.0,
                0.05, "", "");
    }

    /** A copy of the good checkpoint with its metadata and tensors changed. */
    private Path tampered(
            Consumer<Map<String, String>> meta, BiFunction<String, float[], float[]> tensors) {
        Path out = dir.resolve("bad-" + System.nanoTime() + ".ckpt");
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = SafetensorsFile.open(good, arena);
            Map<String, String> m = new LinkedHashMap<>(f.metadata());
            meta.accept(m);
            SafetensorsWriter w = new SafetensorsWriter();
            m.forEach(w::metadata);
            for (var t : f.tensors().values()) {
                float[] v = tensors.apply(t.name(), f.toArray(t.name()));
                if (v != null) w.add(t.name(), t.shape(), v);
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void theGoodCheckpointResumesAFinishedRunToItsResult() {
        RunResult r =
                TrainingRun.run(config(2), model, good, TrainingChild.data(), "t", quiet(), false);
        assertEquals(2, r.epochsRun());
    }

    @Test
    void aTruncatedFileOrAModelFileIsRefused() throws Exception {
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(good), 100));
        assertTrue(refusal(cut).contains("cut.ckpt"));
        assertTrue(refusal(model).contains("not an fdht training checkpoint"), refusal(model));
    }

    @Test
    void anotherConfigurationIsRefusedNamingTheOption() {
        TrainingConfig other =
                new TrainingConfig(
                        "random", 0, 256, 64, 64, "fdht", "3", 8, null, 2, 0, 32, 5, 1, 0.003, 0,
                        1.0, 0.05, "", "");
        String m = refusal(other, good, IllegalArgumentException.class);
        assertTrue(m.contains("--lr 0.003") && m.contains("0.01"), m);
    }

    @Test
    void tamperedProgressIsRefused() {
        String m = refusal(tampered(x -> x.put("updates", "9"), (n, v) -> v));
        assertTrue(m.contains("updates 9"), m);
        m = refusal(tampered(x -> x.put("epochs_done", "7"), (n, v) -> v));
        assertTrue(m.contains("epochs_done = 7 is outside 0..2"), m);
        m = refusal(tampered(x -> x.put("finished", "false"), (n, v) -> v));
        assertTrue(m.contains("finished = false"), m);
        m = refusal(tampered(x -> x.put("best_val_accuracy", "0.99"), (n, v) -> v));
        assertTrue(m.contains("is not epoch"), m);
        m =
                refusal(
                        tampered(
                                x -> x.put("curve", x.get("curve").replace("\n2,", "\n3,")),
                                (n, v) -> v));
        assertTrue(m.contains("curve line 2 is of epoch 3"), m);
        m = refusal(tampered(x -> x.put("option --hidden", "eight"), (n, v) -> v));
        assertTrue(m.contains("bad configuration"), m);
    }

    @Test
    void tamperedTensorsAreRefused() {
        String m =
                refusal(
                        tampered(
                                x -> {},
                                (n, v) -> {
                                    if (n.equals("param/head.bias")) v[1] = Float.NaN;
                                    return v;
                                }));
        assertTrue(m.contains("param/head.bias") && m.contains("non-finite"), m);
        m =
                refusal(
                        tampered(
                                x -> {},
                                (n, v) -> {
                                    if (n.startsWith("adam.v/")) v[0] = -1;
                                    return v;
                                }));
        assertTrue(m.contains("second moment is negative"), m);
        m = refusal(tampered(x -> {}, (n, v) -> n.equals("adam.m/lstm.bias") ? null : v));
        assertTrue(m.contains("tensors where"), m);
    }
}
