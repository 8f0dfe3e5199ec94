package fdht.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything that decides what a training run computes, one field per option of {@code fdht train}:
 * the data (task, data seed, training, validation and test clip counts), the model (format, ranks,
 * hidden size, an optional model to fine-tune, row and column factors: empty for the defaults), the
 * schedule (maximum epochs, early-stopping patience, batch, seed, threads) and the optimiser (peak
 * rate, weight decay, clipping norm, warm-up fraction). A checkpoint stores it as {@link
 * #options()} (option name to canonical text) and a resumed run must match it option by option
 * ({@link #firstDifference}); a checkpoint written before the factor options existed resumes with
 * the defaults. Where the model is written is not part of it: a run's files sit beside its model.
 *
 * <p>{@code patience} 0 trains all {@code maxEpochs}; a positive patience stops once validation
 * accuracy has not improved for that many epochs, so it needs validation clips. Immutable.
 */
public record TrainingConfig(
        String task,
        long dataSeed,
        long trainCount,
        long valCount,
        long testCount,
        String format,
        String ranks,
        int hidden,
        Path init,
        int maxEpochs,
        int patience,
        int batch,
        long seed,
        int threads,
        double learningRate,
        double weightDecay,
        double clipNorm,
        double warmupFraction,
        String rowFactors,
        String colFactors) {

    public TrainingConfig {
        task = task.strip().toLowerCase(Locale.ROOT);
        format = format.strip().toLowerCase(Locale.ROOT);
        ranks = ranks.replace(" ", "");
        rowFactors = rowFactors == null ? "" : rowFactors.replace(" ", "");
        colFactors = colFactors == null ? "" : colFactors.replace(" ", "");
        require(hidden >= 1, "--hidden " + hidden + " must be at least 1");
        require(maxEpochs >= 1, "--epochs " + maxEpochs + " must be at least 1");
        require(batch >= 1, "--batch " + batch + " must be at least 1");
        require(threads >= 1, "--threads " + threads + " must be at least 1");
        require(
                batch % threads == 0,
                "--batch " + batch + " is not a multiple of --threads " + threads);
        require(
                trainCount >= batch,
                "--train-count " + trainCount + " is smaller than one batch of " + batch);
        require(valCount >= 0, "--val-count " + valCount + " must be at least 0");
        require(testCount >= 0, "--test-limit " + testCount + " must be at least 0");
        require(patience >= 0, "--patience " + patience + " must be at least 0");
        require(
                patience == 0 || valCount > 0,
                "--patience " + patience + " stops on validation accuracy: it needs --val-count");
        require(learningRate > 0, "--lr " + learningRate + " must be positive");
        require(weightDecay >= 0, "--weight-decay " + weightDecay + " must be at least 0");
        require(clipNorm > 0, "--clip-norm " + clipNorm + " must be positive");
        require(
                warmupFraction >= 0 && warmupFraction < 1,
                "--warmup " + warmupFraction + " must be in [0, 1)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The option names of {@link #options()}, in order, with their canonical text. */
    private static final Map<String, Function<TrainingConfig, String>> OPTIONS = table();

    private static Map<String, Function<TrainingConfig, String>> table() {
        Map<String, Function<TrainingConfig, String>> t = new LinkedHashMap<>();
        t.put("--task", TrainingConfig::task);
        t.put("--data-seed", c -> Long.toString(c.dataSeed));
        t.put("--train-count", c -> Long.toString(c.trainCount));
        t.put("--val-count", c -> Long.toString(c.valCount));
        t.put("--test-limit", c -> Long.toString(c.testCount));
        t.put("--format", TrainingConfig::format);
        t.put("--ranks", TrainingConfig::ranks);
        t.put("--hidden", c -> Integer.toString(c.hidden));
        t.put("--init", c -> c.init == null ? "" : c.init.toString());
        t.put("--epochs", c -> Integer.toString(c.maxEpochs));
        t.put("--patience", c -> Integer.toString(c.patience));
        t.put("--batch", c -> Integer.toString(c.batch));
        t.put("--seed", c -> Long.toString(c.seed));
        t.put("--threads", c -> Integer.toString(c.threads));
        t.put("--lr", c -> Double.toString(c.learningRate));
        t.put("--weight-decay", c -> Double.toString(c.weightDecay));
        t.put("--clip-norm", c -> Double.toString(c.clipNorm));
        t.put("--warmup", c -> Double.toString(c.warmupFraction));
        t.put("--row-factors", TrainingConfig::rowFactors);
        t.put("--col-factors", TrainingConfig::colFactors);
        return t;
    }

    /**
     * Options added after checkpoints existed, with the value a stored configuration without them
     * had: such a checkpoint still resumes.
     */
    private static final Map<String, String> LATER =
            Map.of("--row-factors", "", "--col-factors", "");

    /**
     * Option name ({@code --lr}) to canonical text ({@code 0.01}), in {@code fdht train}'s order.
     */
    public Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        OPTIONS.forEach((name, text) -> m.put(name, text.apply(this)));
        return m;
    }

    /**
     * The canonical text of option {@code name}'s value {@code value} (as {@link #options()} writes
     * it), so that {@code --lr 0.010} and {@code --lr 0.01} compare equal.
     */
    public static String canonical(String name, String value) {
        return switch (name) {
            case "--task", "--format" -> value.strip().toLowerCase(Locale.ROOT);
            case "--ranks", "--row-factors", "--col-factors" -> value.replace(" ", "");
            case "--init" -> value;
            case "--lr", "--weight-decay", "--clip-norm", "--warmup" ->
                    Double.toString(Double.parseDouble(value));
            default -> Long.toString(Long.parseLong(value.strip()));
        };
    }

    /**
     * The configuration {@link #options()} wrote; a missing, unknown or malformed option is an
     * {@link IllegalArgumentException} naming it.
     */
    public static TrainingConfig fromOptions(Map<String, String> o) {
        for (String k : o.keySet())
            require(OPTIONS.containsKey(k), "unknown option " + k + " in a stored configuration");
        for (String k : OPTIONS.keySet())
            require(
                    o.containsKey(k) || LATER.containsKey(k),
                    "the stored configuration lacks " + k);
        try {
            return new TrainingConfig(
                    o.get("--task"),
                    Long.parseLong(o.get("--data-seed")),
                    Long.parseLong(o.get("--train-count")),
                    Long.parseLong(o.get("--val-count")),
                    Long.parseLong(o.get("--test-limit")),
                    o.get("--format"),
                    o.get("--ranks"),
                    Integer.parseInt(o.get("--hidden")),
                    o.get("--init").isEmpty() ? null : Path.of(o.get("--init")),
                    Integer.parseInt(o.get("--epochs")),
                    Integer.parseInt(o.get("--patience")),
                    Integer.parseInt(o.get("--batch")),
                    Long.parseLong(o.get("--seed")),
                    Integer.parseInt(o.get("--threads")),
                    Double.parseDouble(o.get("--lr")),
                    Double.parseDouble(o.get("--weight-decay")),
                    Double.parseDouble(o.get("--clip-norm")),
                    Double.parseDouble(o.get("--warmup")),
                    o.getOrDefault("--row-factors", LATER.get("--row-factors")),
                    o.getOrDefault("--col-factors", LATER.get("--col-factors")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "a stored option is not a number: " + e.getMessage(), e);
        }
    }

    /**
     * The first option whose value differs from {@code other}'s, as {@code "--lr 0.003 (the
     * checkpoint's is 0.01)"}, or null when the two are the same run.
     */
    public String firstDifference(TrainingConfig other) {
        Map<String, String> mine = options(), theirs = other.options();
        for (var e : mine.entrySet()) {
            String t = theirs.get(e.getKey());
            if (!e.getValue().equals(t))
                return e.getKey()
                        + " "
                        + (e.getValue().isEmpty() ? "(none)" : e.getValue())
                        + " (the checkpoint's is "
                        + (t.isEmpty() ? "none" : t)
                        + ")";
        }
        return null;
    }
}
