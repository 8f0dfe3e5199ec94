package fdht.train;

import fdht.layout.io.AtomicFile;
import fdht.layout.io.Json;
import fdht.layout.io.ModelFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished training run reports, as the small JSON file beside its model ({@code
 * <model>.result.json}, written once, atomically, after the test split was scored): the command,
 * the configuration (option to canonical text), the kernels, the LSTM layer's parameter count, the
 * best validation epoch with its accuracy and loss, the epochs run and why the run stopped, the
 * test clips scored once on the best-validation model with their accuracy and mean cross-entropy,
 * and the seconds per epoch (mean over the epochs run) and in all. Accuracies are fractions; a
 * missing figure (no validation or no test clips) is JSON {@code null}, read back as NaN.
 * Immutable.
 */
public record RunResult(
        String command,
        Map<String, String> options,
        String kernels,
        long layerParameters,
        int bestEpoch,
        int epochsRun,
        String stop,
        long valClips,
        double valAccuracy,
        double valLoss,
        long testClips,
        long testCorrect,
        double testAccuracy,
        double testLoss,
        double secondsPerEpoch,
        double seconds) {

    public RunResult {
        options = Map.copyOf(options);
    }

    /** The result path of a run writing {@code model}: {@code <model>.result.json}. */
    public static Path pathFor(Path model) {
        return model.resolveSibling(model.getFileName() + ".result.json");
    }

    /** The option's canonical text, as {@link TrainingConfig#options()} wrote it. */
    public String option(String name) {
        String v = options.get(name);
        if (v == null) throw new IllegalArgumentException("the result lacks option " + name);
        return v;
    }

    /** Writes this result as JSON to {@code path}, atomically. */
    public void write(Path path) {
        StringBuilder j = new StringBuilder("{\n");
        field(j, "command", Json.quote(command));
        StringBuilder o = new StringBuilder("{");
        new java.util.TreeMap<>(options)
                .forEach(
                        (k, v) ->
                                o.append(o.length() > 1 ? ", " : "")
                                        .append(Json.quote(k))
                                        .append(": ")
                                        .append(Json.quote(v)));
        field(j, "options", o.append('}').toString());
        field(j, "kernels", Json.quote(kernels));
        field(j, "layer_parameters", Long.toString(layerParameters));
        field(j, "best_epoch", Integer.toString(bestEpoch));
        field(j, "epochs_run", Integer.toString(epochsRun));
        field(j, "stop", Json.quote(stop));
        field(j, "val_clips", Long.toString(valClips));
        field(j, "val_accuracy", number(valAccuracy));
        field(j, "val_loss", number(valLoss));
        field(j, "test_clips", Long.toString(testClips));
        field(j, "test_correct", Long.toString(testCorrect));
        field(j, "test_accuracy", number(testAccuracy));
        field(j, "test_loss", number(testLoss));
        field(j, "seconds_per_epoch", number(secondsPerEpoch));
        j.append("  \"seconds\": ").append(number(seconds)).append("\n}\n");
        byte[] bytes = j.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(path, out -> out.write(bytes));
    }

    private static void field(StringBuilder j, String key, String value) {
        j.append("  ").append(Json.quote(key)).append(": ").append(value).append(",\n");
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    /** Reads a file {@link #write} wrote; anything else is a {@link ModelFileException}. */
    public static RunResult read(Path path) {
        try {
            if (Files.size(path) > 1 << 20)
                throw new ModelFileException(path, null, "larger than 1 MB: not a run result");
            Object parsed = Json.parse(Files.readString(path, StandardCharsets.UTF_8));
            if (!(parsed instanceof Map<?, ?> m))
                throw new ModelFileException(path, null, "not a JSON object");
            Map<String, String> options = new LinkedHashMap<>();
            if (!(m.get("options") instanceof Map<?, ?> om))
                throw new ModelFileException(path, "options", "missing or not an object");
            om.forEach((k, v) -> options.put(String.valueOf(k), String.valueOf(v)));
            return new RunResult(
                    text(path, m, "command"),
                    options,
                    text(path, m, "kernels"),
                    (long) real(path, m, "layer_parameters"),
                    (int) real(path, m, "best_epoch"),
                    (int) real(path, m, "epochs_run"),
                    text(path, m, "stop"),
                    (long) real(path, m, "val_clips"),
                    real(path, m, "val_accuracy"),
                    real(path, m, "val_loss"),
                    (long) real(path, m, "test_clips"),
                    (long) real(path, m, "test_correct"),
                    real(path, m, "test_accuracy"),
                    real(path, m, "test_loss"),
                    real(path, m, "seconds_per_epoch"),
                    real(path, m, "seconds"));
        } catch (IOException e) {
            throw new ModelFileException(path, null, "cannot read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // malformed JSON
            throw new ModelFileException(path, null, e.getMessage(), e);
        }
    }

    private static String text(Path path, Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof String s))
            throw new ModelFileException(path, key, "missing or not a string");
        return s;
    }

    private static double real(Path path, Map<?, ?> m, String key) {
        if (!m.containsKey(key)) throw new ModelFileException(path, key, "missing");
        Object v = m.get(key);
        if (v == null) return Double.NaN;
        if (!(v instanceof Number n)) throw new ModelFileException(path, key, "not a number");
        return n.doubleValue();
    }
}
