package fdht.cli;

import fdht.train.Checkpoint;
import fdht.train.TrainingConfig;
import fdht.train.TrainingRun;
import fdht.train.data.FashionMnist;
import fdht.train.data.LabelledClips;
import fdht.train.data.MfmPart;
import fdht.train.data.MfmTask;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.Split;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht train}: trains an LSTM video classifier on MFM-40 or MFM-40-UCF (docs/MFM40.md) in
 * one of the five formats, as {@link TrainingRun} describes: validation after every epoch, the
 * best-validation model kept as the output (a model file that {@code infer}, {@code inspect},
 * {@code simulate --model} and {@code eval} read; dense: a PyTorch state dict), early stopping, a
 * checkpoint after every epoch, and the test split scored once at the end. {@code --resume CKPT}
 * continues a run from its checkpoint: options not given are the checkpoint's, options given must
 * equal them.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train an FDHT / HT-input / TT / TT-LSTM (tt-input) / dense LSTM classifier on MFM-40"
                    + " (docs/MFM40.md).",
            "Validation clips (--val-count) come from the train split's last tenth of images (54,000"
                    + "..59,999), which training then never sees; the best-validation epoch's model"
                    + " is the output, and the test clips are scored once, on it, at the end.",
            "Writes beside OUT: OUT.csv (curve), OUT.ckpt (checkpoint after every epoch: --resume"
                    + " it), OUT.result.json (the result)."
        })
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--task",
            defaultValue = "mfm",
            description =
                    "mfm (MFM-40, 64x64 frames) or mfm-ucf (MFM-40-UCF, 240x240: LSTM-UCF's 57,600"
                            + " inputs). Default ${DEFAULT-VALUE}.")
    String task;

    @Option(
            names = "--format",
            defaultValue = "fdht",
            completionCandidates = FormatOptions.AllKeys.class,
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    String format;

    @Option(
            names = "--ranks",
            defaultValue = "4",
            description =
                    "HT/TT ranks: R, full, or one per HT node / TT inner bond (default ${DEFAULT-VALUE})")
    String ranks;

    @Option(
            names = "--row-factors",
            description =
                    "factors of 4H, e.g. 16,4,4,4 (default: H split evenly into 4, the first factor times the 4 gates)")
    String rowFactors;

    @Option(
            names = "--col-factors",
            description =
                    "factors covering the columns (N_x + H, or N_x for ht-input and tt-input), e.g. 8,20,20,18"
                            + " (default: an exact factorisation if a balanced one exists, else the cheapest within 6% padding)")
    String colFactors;

    @Option(
            names = "--hidden",
            defaultValue = "128",
            description = "hidden size H (default ${DEFAULT-VALUE})")
    int hidden;

    @Option(
            names = "--epochs",
            defaultValue = "10",
            description =
                    "the maximum of epochs; the learning rate's cosine spans them (default"
                            + " ${DEFAULT-VALUE})")
    int epochs;

    @Option(
            names = "--patience",
            defaultValue = "0",
            description =
                    "stop once validation accuracy has not improved for this many epochs (0: run"
                            + " every epoch; needs --val-count). Default ${DEFAULT-VALUE}.")
    int patience;

    @Option(
            names = "--batch",
            defaultValue = "32",
            description = "clips per update (default ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "seed of the initial weights and the shuffles (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--data-seed",
            defaultValue = "0",
            description = "seed of the clips (default ${DEFAULT-VALUE})")
    long dataSeed;

    @Option(
            names = "--out",
            description =
                    "model file to write (.safetensors); with --resume, the checkpoint's model by"
                            + " default")
    Path out;

    @Option(
            names = {"--train-count", "--limit"},
            description =
                    "train on the first N clips (default: one per training image, 60,000, or"
                            + " 54,000 with --val-count)")
    Long trainCount;

    @Option(
            names = "--val-count",
            defaultValue = "0",
            description =
                    "validate each epoch on the first N clips of the validation images (train"
                            + " images 54,000..59,999, then kept out of training; 0: none)."
                            + " Default ${DEFAULT-VALUE}.")
    long valCount;

    @Option(
            names = "--test-limit",
            defaultValue = "10000",
            description =
                    "score the first N test clips once, at the end, on the best model (default"
                            + " ${DEFAULT-VALUE}; 0: none)")
    long testLimit;

    @Option(
            names = "--init",
            description =
                    "fine-tune this model file instead of a fresh model (e.g. the output of convert); --format, --ranks and --hidden are then taken from it")
    Path init;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "threads (the batch is split among them; default ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--lr",
            defaultValue = "0.005",
            description = "peak learning rate of Adam (default ${DEFAULT-VALUE})")
    double learningRate;

    @Option(
            names = "--weight-decay",
            defaultValue = "0",
            description = "decoupled weight decay (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(
            names = "--clip-norm",
            defaultValue = "1.0",
            description = "clip the gradient to this global norm (default ${DEFAULT-VALUE})")
    double clipNorm;

    @Option(
            names = "--warmup",
            defaultValue = "0.05",
            description = "fraction of the updates spent warming up (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(
            names = "--resume",
            description =
                    "continue the run of this checkpoint (OUT.ckpt) after its last whole epoch;"
                            + " the options not given are the checkpoint's")
    Path resume;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getOut();
        TrainingConfig config;
        Path model;
        FashionMnist trainImages;
        if (resume != null) {
            if (!Files.isRegularFile(resume))
                throw new IllegalArgumentException("--resume " + resume + ": no such file");
            config = Checkpoint.config(resume);
            for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
                String name = o.longestName(), stored = config.options().get(name);
                if (stored == null) continue; // --resume, --out, --verbose
                String given =
                        TrainingConfig.canonical(name, String.valueOf((Object) o.getValue()));
                if (!given.equals(stored))
                    throw new IllegalArgumentException(
                            name
                                    + " "
                                    + given
                                    + " differs from the checkpoint's "
                                    + (stored.isEmpty() ? "(none)" : stored)
                                    + ": a resumed run keeps its configuration");
            }
            Path derived = Checkpoint.modelFor(resume);
            if (out != null
                    && derived != null
                    && !out.toAbsolutePath()
                            .normalize()
                            .equals(derived.toAbsolutePath().normalize()))
                throw new IllegalArgumentException(
                        "--out " + out + " is not the checkpoint's model " + derived);
            model = out != null ? out : derived;
            if (model == null)
                throw new IllegalArgumentException(
                        "--resume " + resume + " is not named MODEL.ckpt: give --out MODEL");
            trainImages = FashionMnist.load(Split.TRAIN);
        } else {
            if (out == null) throw new IllegalArgumentException("--out is required");
            if (init != null && !Files.isRegularFile(init))
                throw new IllegalArgumentException("--init " + init + ": no such file");
            MfmTask.parse(task);
            trainImages = FashionMnist.load(Split.TRAIN);
            long images = (valCount > 0 ? MfmPart.FIT : MfmPart.TRAIN).images(trainImages).count();
            config =
                    new TrainingConfig(
                            task,
                            dataSeed,
                            trainCount != null ? trainCount : images,
                            valCount,
                            testLimit,
                            format,
                            ranks,
                            hidden,
                            init,
                            epochs,
                            patience,
                            batch,
                            seed,
                            threads,
                            learningRate,
                            weightDecay,
                            clipNorm,
                            warmup,
                            rowFactors,
                            colFactors);
            model = out;
        }
        Path dir = model.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir))
            throw new IllegalArgumentException(
                    "--out " + model + ": directory " + dir + " does not exist");
        // the format's errors name the option that gave the part they are about
        FormatOptions.named(
                "",
                () ->
                        TrainingRun.run(
                                config,
                                model,
                                resume,
                                data(config, trainImages),
                                command(),
                                log,
                                System.console() != null));
        return 0;
    }

    /** The clips of {@code c}: training from the fit part when there is validation. */
    static TrainingRun.Data data(TrainingConfig c, FashionMnist trainImages) {
        MfmTask task = MfmTask.parse(c.task());
        MfmPart part = c.valCount() > 0 ? MfmPart.FIT : MfmPart.TRAIN;
        LabelledClips train =
                new MovingFashionMnist(task, part.images(trainImages), c.dataSeed())
                        .take(c.trainCount());
        LabelledClips val =
                c.valCount() == 0
                        ? null
                        : new MovingFashionMnist(
                                        task, MfmPart.VALIDATION.images(trainImages), c.dataSeed())
                                .take(c.valCount());
        LabelledClips test =
                c.testCount() == 0
                        ? null
                        : new MovingFashionMnist(task, FashionMnist.load(Split.TEST), c.dataSeed())
                                .take(c.testCount());
        return new TrainingRun.Data(train, val, test);
    }

    /** {@code fdht} and the arguments as given, for the result file. */
    private String command() {
        return "fdht "
                + spec.commandLine().getParseResult().originalArgs().stream()
                        .map(a -> a.isEmpty() || a.matches(".*[\\s'\"$].*") ? "'" + a + "'" : a)
                        .collect(Collectors.joining(" "));
    }
}
