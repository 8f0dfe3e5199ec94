package fdht.train;

import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsFile;
import fdht.layout.io.SafetensorsWriter;
import fdht.train.lstm.Parameter;
import fdht.train.lstm.TrainableLstm;
import fdht.train.lstm.Trainer;
import fdht.train.optim.Adam;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's whole state after a whole epoch, as one safetensors file ({@code <model>.ckpt},
 * written atomically): every parameter ({@code param/<name>}), Adam's two moments ({@code
 * adam.m/<name>}, {@code adam.v/<name>}) and in the metadata the run's {@link TrainingConfig} (one
 * key {@code option --lr} per option), the epochs done, the updates taken (the schedule's position
 * and Adam's step count), the best validation epoch, accuracy and loss, the epochs since it (the
 * patience counter), whether the run has finished and why, the curve so far, and the kernels that
 * computed it. The shuffles need no state of their own: epoch {@code e}'s order is drawn from
 * {@code SplittableRandom(seed * 0x9E3779B97F4A7C15 + e)}, fixed by the seed and the epoch.
 *
 * <p>A checkpoint is untrusted input: the safetensors reader validates its structure (header,
 * offsets, non-finite values), and {@link #restore} then checks every tensor's name and shape
 * against the model, the second moments for signs, and the progress for consistency (updates =
 * epochs x batches per epoch, the curve one line per epoch, the best epoch's line holding the best
 * accuracy), each failure a {@link ModelFileException} naming the file and what is wrong. Cost: the
 * parameters three times over on disk. Stateless.
 */
public final class Checkpoint {
    static final String MARKER_KEY = "fdht.checkpoint";
    static final String VERSION = "1";
    private static final String OPTION = "option ";

    /**
     * Where a run stands after {@code epochsDone} epochs: {@code bestEpoch} 0 before the first; the
     * stop reason empty while the run goes on.
     */
    public record Progress(
            int epochsDone,
            long updates,
            int bestEpoch,
            double bestValAccuracy,
            double bestValLoss,
            int epochsSinceBest,
            boolean finished,
            String stop,
            List<EpochLine> curve) {
        public Progress {
            curve = List.copyOf(curve);
        }

        /** A run about to start. */
        public static Progress start() {
            return new Progress(0, 0, 0, Double.NaN, Double.NaN, 0, false, "", List.of());
        }
    }

    private Checkpoint() {}

    /** The checkpoint path of a run writing {@code model}: {@code <model>.ckpt}. */
    public static Path pathFor(Path model) {
        return model.resolveSibling(model.getFileName() + ".ckpt");
    }

    /**
     * The model path of a checkpoint written by {@link #pathFor}, or null when its name does not
     * end in {@code .ckpt}.
     */
    public static Path modelFor(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return name.endsWith(".ckpt") && name.length() > 5
                ? checkpoint.resolveSibling(name.substring(0, name.length() - 5))
                : null;
    }

    /** Writes the state of {@code model} and {@code trainer} atomically to {@code path}. */
    public static void write(
            Path path,
            TrainingConfig config,
            TrainableLstm model,
            Trainer trainer,
            Progress progress,
            String kernels) {
        SafetensorsWriter w = new SafetensorsWriter().metadata(MARKER_KEY, VERSION);
        config.options().forEach((k, v) -> w.metadata(OPTION + k, v));
        w.metadata("epochs_done", Integer.toString(progress.epochsDone()))
                .metadata("updates", Long.toString(progress.updates()))
                .metadata("best_epoch", Integer.toString(progress.bestEpoch()))
                .metadata("best_val_accuracy", Double.toString(progress.bestValAccuracy()))
                .metadata("best_val_loss", Double.toString(progress.bestValLoss()))
                .metadata("epochs_since_best", Integer.toString(progress.epochsSinceBest()))
                .metadata("finished", Boolean.toString(progress.finished()))
                .metadata("stop", progress.stop())
                .metadata("kernels", kernels)
                .metadata(
                        "shuffle",
                        "epoch e: Fisher-Yates with SplittableRandom(seed * 0x9E3779B97F4A7C15 + e);"
                                + " next e = "
                                + progress.epochsDone());
        StringBuilder curve = new StringBuilder(EpochLine.HEADER).append('\n');
        for (EpochLine l : progress.curve()) curve.append(l.toCsv()).append('\n');
        w.metadata("curve", curve.toString());
        List<Parameter> ps = model.parameters();
        Adam adam = trainer.adam();
        for (int i = 0; i < ps.size(); i++) {
            Parameter p = ps.get(i);
            w.add("param/" + p.name(), p.shape(), p.value());
            w.add("adam.m/" + p.name(), p.shape(), adam.firstMoment(i));
            w.add("adam.v/" + p.name(), p.shape(), adam.secondMoment(i));
        }
        w.write(path);
    }

    /**
     * The configuration stored in the checkpoint at {@code path} (its header only), so that a
     * resumed run can take the options it was not given from it.
     */
    public static TrainingConfig config(Path path) {
        try (Arena scratch = Arena.ofConfined()) {
            return config(open(path, scratch));
        }
    }

    private static SafetensorsFile open(Path path, Arena arena) {
        SafetensorsFile f = SafetensorsFile.open(path, arena);
        if (!VERSION.equals(f.metadata().get(MARKER_KEY)))
            throw new ModelFileException(
                    path,
                    null,
                    "not an fdht training checkpoint (no "
                            + MARKER_KEY
                            + " = "
                            + VERSION
                            + " in its metadata)");
        return f;
    }

    private static TrainingConfig config(SafetensorsFile f) {
        Map<String, String> options = new LinkedHashMap<>();
        f.metadata()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith(OPTION)) options.put(k.substring(OPTION.length()), v);
                        });
        try {
            return TrainingConfig.fromOptions(options);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(f.path(), null, "bad configuration: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the parameters and Adam's state stored at {@code path} into {@code model} and {@code
     * trainer} and returns the progress. Refuses a checkpoint of another configuration than {@code
     * expected} (an {@link IllegalArgumentException} naming the first option that differs) and
     * anything malformed (a {@link ModelFileException}); on failure the model may be half-written,
     * so throw it away.
     */
    public static Progress restore(
            Path path, TrainingConfig expected, TrainableLstm model, Trainer trainer) {
        try (Arena scratch = Arena.ofConfined()) {
            SafetensorsFile f = open(path, scratch);
            String diff = expected.firstDifference(config(f));
            if (diff != null)
                throw new IllegalArgumentException(
                        "cannot resume " + path + " with another configuration: " + diff);
            Progress p = progress(f, expected, trainer.batchesPerEpoch());
            List<Parameter> ps = model.parameters();
            if (f.tensors().size() != 3 * ps.size())
                throw new ModelFileException(
                        path,
                        null,
                        f.tensors().size()
                                + " tensors where the model's "
                                + ps.size()
                                + " parameters need "
                                + 3 * ps.size()
                                + " (param/, adam.m/, adam.v/ each)");
            Adam adam = trainer.adam();
            for (int i = 0; i < ps.size(); i++) {
                Parameter q = ps.get(i);
                copy(f, "param/" + q.name(), q, q.value(), scratch, false);
                copy(f, "adam.m/" + q.name(), q, adam.firstMoment(i), scratch, false);
                copy(f, "adam.v/" + q.name(), q, adam.secondMoment(i), scratch, true);
            }
            model.refresh();
            trainer.resumeAt(p.updates());
            return p;
        }
    }

    private static void copy(
            SafetensorsFile f,
            String name,
            Parameter like,
            MemorySegment into,
            Arena scratch,
            boolean nonNegative) {
        f.requireShape(name, like.shape());
        MemorySegment src = f.floats(name, scratch); // refuses non-finite values
        long n = like.size();
        if (nonNegative) {
            for (long e = 0; e < n; e++) {
                float v = src.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e);
                if (v < 0)
                    throw new ModelFileException(
                            f.path(),
                            name,
                            "a second moment is negative (" + v + " at flat index " + e + ")");
            }
        }
        MemorySegment.copy(src, 0, into, 0, n * Float.BYTES);
    }

    private static Progress progress(SafetensorsFile f, TrainingConfig c, long batchesPerEpoch) {
        Path path = f.path();
        int done = integer(f, "epochs_done", 0, c.maxEpochs());
        long updates = number(f, "updates");
        if (updates != done * batchesPerEpoch)
            throw new ModelFileException(
                    path,
                    null,
                    "updates "
                            + updates
                            + " is not "
                            + done
                            + " epochs of "
                            + batchesPerEpoch
                            + " batches");
        int best = integer(f, "best_epoch", done == 0 ? 0 : 1, done);
        int since = integer(f, "epochs_since_best", done - best, done - best);
        boolean finished = Boolean.parseBoolean(f.meta("finished"));
        boolean due = done == c.maxEpochs() || (c.patience() > 0 && since >= c.patience());
        if (finished != due)
            throw new ModelFileException(
                    path,
                    null,
                    "finished = "
                            + finished
                            + " after "
                            + done
                            + " of "
                            + c.maxEpochs()
                            + " epochs, "
                            + since
                            + " since the best (patience "
                            + c.patience()
                            + ")");
        List<EpochLine> curve = new ArrayList<>();
        List<String> lines = f.meta("curve").lines().toList();
        if (lines.isEmpty() || !lines.getFirst().equals(EpochLine.HEADER))
            throw new ModelFileException(path, null, "the curve lacks its header");
        try {
            for (String l : lines.subList(1, lines.size())) curve.add(EpochLine.parse(l));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, null, "bad curve: " + e.getMessage(), e);
        }
        for (int e = 0; e < curve.size(); e++)
            if (curve.get(e).epoch() != e + 1)
                throw new ModelFileException(
                        path,
                        null,
                        "curve line " + (e + 1) + " is of epoch " + curve.get(e).epoch());
        if (curve.size() != done)
            throw new ModelFileException(
                    path, null, "the curve has " + curve.size() + " epochs, not " + done);
        double acc = decimal(f, "best_val_accuracy"), loss = decimal(f, "best_val_loss");
        if (best > 0
                && !(Double.compare(curve.get(best - 1).valAccuracy(), acc) == 0
                        && Double.compare(curve.get(best - 1).valLoss(), loss) == 0))
            throw new ModelFileException(
                    path,
                    null,
                    "best validation "
                            + acc
                            + " / "
                            + loss
                            + " is not epoch "
                            + best
                            + "'s in the curve");
        return new Progress(done, updates, best, acc, loss, since, finished, f.meta("stop"), curve);
    }

    private static long number(SafetensorsFile f, String key) {
        try {
            return Long.parseLong(f.meta(key));
        } catch (NumberFormatException e) {
            throw new ModelFileException(
                    f.path(), null, "metadata " + key + " is not a whole number: " + f.meta(key));
        }
    }

    private static int integer(SafetensorsFile f, String key, long min, long max) {
        long v = number(f, key);
        if (v < min || v > max)
            throw new ModelFileException(
                    f.path(),
                    null,
                    "metadata " + key + " = " + v + " is outside " + min + ".." + max);
        return (int) v;
    }

    private static double decimal(SafetensorsFile f, String key) {
        try {
            return Double.parseDouble(f.meta(key));
        } catch (NumberFormatException e) {
            throw new ModelFileException(
                    f.path(), null, "metadata " + key + " is not a number: " + f.meta(key));
        }
    }
}
