package fdht.cli;

import fdht.kernels.model.Model;
import fdht.train.data.LabelledClips;
import fdht.train.data.MfmPart;
import fdht.train.data.MfmTask;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.NpyClips;
import fdht.train.eval.ClassifierEvaluation;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht eval}: the accuracy of a model with a head on labelled clips, either MFM-40 or
 * MFM-40-UCF clips generated on the fly ({@code --task mfm|mfm-ucf}, docs/MFM40.md) or a pair of
 * {@code .npy} files ({@code --clips}, {@code --labels}); prints the accuracy with its 95% (Wilson)
 * interval and the mean cross-entropy, then the three weakest classes by the model's class names.
 * Takes one-layer models and stacks (several layers, both directions) alike. Scores on the model
 * API's bulk scoring, a chunk of clips at a time over {@code --threads} threads (see {@link
 * ClassifierEvaluation}). {@code --fixed-point BITS} scores through the accelerator's fixed-point
 * arithmetic instead ({@link FixedPointOption}).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Accuracy of a model with a head on MFM-40 (--task mfm or mfm-ucf, docs/MFM40.md) or on labelled clips (--clips, --labels).")
final class EvalCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            description = "fdht model file with a head (.safetensors)")
    Path model;

    @Option(
            names = "--task",
            description =
                    "mfm (MFM-40, 64x64) or mfm-ucf (MFM-40-UCF, 240x240): clips made on the fly"
                            + " (docs/MFM40.md)")
    String task;

    @Option(
            names = "--split",
            defaultValue = "test",
            description =
                    "with --task: train, fit (train images 0..53,999), val (54,000..59,999: the"
                            + " validation clips of fdht train --val-count) or test. Default"
                            + " ${DEFAULT-VALUE}.")
    String split;

    @Option(
            names = "--count",
            description =
                    "with --task: number of clips (default: as many as the split has images: 60,000, 54,000, 6,000 or 10,000)")
    Long count;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "with --task: generator seed. Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--clips", description = "clips, float32 .npy [N, T, N_x]")
    Path clips;

    @Option(names = "--labels", description = "labels of --clips, int64 .npy [N]")
    Path labels;

    @Option(
            names = {"--chunk", "--batch"},
            defaultValue = "0",
            description =
                    "clips per chunk (default: automatic, the most whose working set fits in L2)")
    int chunk;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "threads that score chunks of clips (default: all processors)")
    int threads;

    @Mixin FixedPointOption fixedPoint;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if ((task == null) == (clips == null))
            throw new IllegalArgumentException("give either --task mfm or --clips with --labels");
        if (clips != null && labels == null)
            throw new IllegalArgumentException("--clips needs --labels");
        if (clips == null && labels != null)
            throw new IllegalArgumentException("--labels goes with --clips");
        for (String taskOnly :
                new String[] {
                    "--split", "--count", "--seed"
                }) { // they would be ignored: say so rather than score other clips than asked
            if (clips != null && spec.commandLine().getParseResult().hasMatchedOption(taskOnly))
                throw new IllegalArgumentException(taskOnly + " goes with --task, not --clips");
        }
        MfmTask mfmTask = task == null ? null : MfmTask.parse(task);
        if (chunk < 0)
            throw new IllegalArgumentException(
                    "--chunk " + chunk + " must be at least 1 (or 0: automatic)");
        if (threads < 0)
            throw new IllegalArgumentException(
                    "--threads " + threads + " must be at least 1 (or 0: all processors)");
        int workers = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (count != null && count < 1)
            throw new IllegalArgumentException("--count " + count + " must be at least 1");
        boolean fixed = fixedPoint.given();
        try (Model lstm = Model.load(model);
                Arena arena = Arena.ofShared()) {
            if (!lstm.hasHead())
                throw new IllegalArgumentException(
                        "the model "
                                + model
                                + " has no head: eval needs a classifier (head.weight, head.bias)");
            LabelledClips data;
            String what;
            if (mfmTask != null) {
                MovingFashionMnist mfm =
                        MovingFashionMnist.load(mfmTask, MfmPart.parse(split), seed);
                long n = count != null ? count : mfm.images().count();
                data = mfm.take(n);
                what = String.format("%s (%,d clips)", mfm, n);
            } else {
                data = NpyClips.open(clips, labels, arena);
                what =
                        String.format(
                                "%s (%,d clips of %d frames)", clips, data.count(), data.frames());
            }
            long t0 = System.nanoTime();
            ClassifierEvaluation.Result r =
                    fixed
                            ? fixedPoint.evaluate(
                                    lstm.stack(), data, chunk > 0 ? chunk : 64, workers, arena)
                            : ClassifierEvaluation.evaluate(lstm, data, chunk, workers);
            double sec = (System.nanoTime() - t0) / 1e9;
            out.printf("%s on %s: %s%n", model, what, r);
            if (fixed) out.println(fixedPoint.describe());
            StringBuilder weakest = new StringBuilder();
            for (int c : r.weakest(3))
                weakest.append(weakest.isEmpty() ? "" : ", ")
                        .append(
                                String.format(
                                        "%s %.1f%% of %,d",
                                        lstm.labels().get(c),
                                        100.0 * r.correctByClass()[c] / r.countByClass()[c],
                                        r.countByClass()[c]));
            if (!weakest.isEmpty()) out.printf("weakest classes: %s%n", weakest);
            out.printf(
                    "%s; %.1f s, %.0f clips/s on %d thread%s%n",
                    lstm.stack().describe(),
                    sec,
                    data.count() / sec,
                    workers,
                    workers == 1 ? "" : "s");
        }
        return 0;
    }
}
