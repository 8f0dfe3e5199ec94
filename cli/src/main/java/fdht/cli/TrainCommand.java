package fdht.cli;

import fdht.train.TrainingRun;
import fdht.train.data.LabelledClips;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.Split;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht train}: trains an LSTM video classifier on MFM-40 (DESIGN.md section 6) in one of the
 * four formats and writes it as a model file that {@code infer}, {@code inspect}, {@code simulate
 * --model} (compressed formats) and {@code eval} read (dense: a PyTorch state dict, which they read
 * as it is and {@code convert --from-pytorch} compresses). The file and its curve ({@code
 * <out>.csv}) are rewritten atomically after every epoch.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train an FDHT / HT-input / TT / dense LSTM classifier on MFM-40.")
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--task",
            defaultValue = "mfm",
            description = "the task: mfm (MFM-40, Moving-Fashion-MNIST)")
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
            names = "--hidden",
            defaultValue = "128",
            description = "hidden size H (default ${DEFAULT-VALUE})")
    int hidden;

    @Option(
            names = "--epochs",
            defaultValue = "10",
            description = "epochs (default ${DEFAULT-VALUE})")
    int epochs;

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
            description = "seed of the MFM-40 clips (default ${DEFAULT-VALUE})")
    long dataSeed;

    @Option(names = "--out", required = true, description = "model file to write (.safetensors)")
    Path out;

    @Option(
            names = "--limit",
            defaultValue = "60000",
            description =
                    "train on the first N clips (default ${DEFAULT-VALUE}, one per train image)")
    long limit;

    @Option(
            names = "--test-limit",
            defaultValue = "10000",
            description =
                    "score each epoch on the first N test clips (default ${DEFAULT-VALUE}; 0: none)")
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

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getOut();
        if (!task.equals("mfm"))
            throw new IllegalArgumentException("--task " + task + ": only mfm is known");
        if (hidden < 1)
            throw new IllegalArgumentException("--hidden " + hidden + " must be at least 1");
        if (limit < batch)
            throw new IllegalArgumentException(
                    "--limit " + limit + " is smaller than one batch of " + batch);
        if (testLimit < 0)
            throw new IllegalArgumentException("--test-limit " + testLimit + " must be at least 0");
        if (init != null && !java.nio.file.Files.isRegularFile(init))
            throw new IllegalArgumentException("--init " + init + ": no such file");
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !java.nio.file.Files.isDirectory(dir))
            throw new IllegalArgumentException(
                    "--out " + out + ": directory " + dir + " does not exist");
        LabelledClips train = MovingFashionMnist.load(Split.TRAIN, dataSeed).take(limit);
        LabelledClips test =
                testLimit == 0
                        ? null
                        : MovingFashionMnist.load(Split.TEST, dataSeed).take(testLimit);
        // the format's errors name the option that gave the part they are about
        FormatOptions.named(
                "",
                () ->
                        TrainingRun.run(
                                new TrainingRun.Config(
                                        format,
                                        ranks,
                                        hidden,
                                        epochs,
                                        batch,
                                        seed,
                                        out,
                                        init,
                                        threads,
                                        learningRate,
                                        weightDecay,
                                        clipNorm,
                                        warmup),
                                train,
                                test,
                                log,
                                System.console() != null));
        return 0;
    }
}
