package fdht.train;

import fdht.kernels.KernelProvider;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.io.AtomicFile;
import fdht.train.data.LabelledClips;
import fdht.train.eval.ClassifierEvaluation;
import fdht.train.lstm.TrainableLstm;
import fdht.train.lstm.Trainer;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One training run as {@code fdht train} does it (protocol C, docs/ACCURACY.md): builds (or loads,
 * for fine-tuning) the model, trains epoch by epoch up to the maximum, scores the validation clips
 * after each epoch through the inference kernels (as {@code fdht eval} would), keeps the
 * best-validation model as the output model and stops early once validation accuracy has not
 * improved for {@code patience} epochs; then scores the test clips <em>once</em>, on the best model
 * read back from its file, and writes the result beside it. Without validation clips every epoch
 * counts as the best (the last one is kept) and all epochs run.
 *
 * <p>Files beside the model {@code M}: {@code M} itself (written when validation improves), {@code
 * M.csv} (the curve, {@link EpochLine}), {@code M.ckpt} (the {@link Checkpoint} after the last
 * whole epoch), {@code M.result.json} ({@link RunResult}, at the end); each written atomically. A
 * run killed at any point resumes from its checkpoint ({@code resume}) and, on the same kernels and
 * thread count, ends with the same weights bit for bit as the run left alone: training is
 * deterministic ({@code TrainingDeterminismTest}) and the checkpoint holds its whole state.
 * "Better" is a higher validation accuracy, or an equal one with a lower validation loss.
 *
 * <p>The learning rate warms up and decays along a cosine over the <em>maximum</em> epochs, so a
 * run stopped early stops part way down the cosine. Not thread-safe; uses {@code threads} threads
 * for training and evaluation.
 */
public final class TrainingRun {
    /**
     * The clips of a run: {@code validation} and {@code test} may be null (none); their counts must
     * be the configuration's.
     */
    public record Data(LabelledClips train, LabelledClips validation, LabelledClips test) {}

    private static final int EVAL_BATCH = 64;

    private TrainingRun() {}

    /**
     * The training set's class names when it names every class (they go into the model file: {@code
     * fdht.labels}), else none.
     */
    private static List<String> classNames(LabelledClips train) {
        return train.classNames().size() == train.classes() ? train.classNames() : List.of();
    }

    /** The curve's CSV path for a model path: {@code <model>.csv}. */
    public static Path curvePath(Path model) {
        return model.resolveSibling(model.getFileName() + ".csv");
    }

    /**
     * Runs (or, with {@code resume} a checkpoint of the same configuration, continues) the run of
     * {@code c} writing model {@code out}; progress to {@code log} (a bar when {@code terminal});
     * {@code command} goes into the result file. Returns the result also written beside {@code
     * out}.
     */
    public static RunResult run(
            TrainingConfig c,
            Path out,
            Path resume,
            Data data,
            String command,
            PrintWriter log,
            boolean terminal) {
        checkCounts(c, data);
        String kernels = KernelProvider.kernels().name();
        try (Arena arena = Arena.ofShared()) {
            TrainableLstm model = build(c, data.train(), arena);
            log.println("model: " + model.describe());
            log.println(
                    String.format(
                            Locale.ROOT,
                            "data: %d training clips, %d validation clips, %d test clips (scored once,"
                                    + " at the end); batch %d, at most %d epochs%s, %d thread(s),"
                                    + " kernels %s",
                            c.trainCount(),
                            c.valCount(),
                            c.testCount(),
                            c.batch(),
                            c.maxEpochs(),
                            c.patience() > 0
                                    ? ", patience " + c.patience()
                                    : " (no early stopping)",
                            c.threads(),
                            kernels));
            log.flush();
            Trainer.Options o =
                    new Trainer.Options(
                            c.maxEpochs(),
                            c.batch(),
                            c.learningRate(),
                            c.weightDecay(),
                            c.clipNorm(),
                            c.warmupFraction(),
                            c.seed(),
                            c.threads());
            Checkpoint.Progress p = Checkpoint.Progress.start();
            try (Trainer trainer = new Trainer(model, data.train(), o, arena)) {
                if (resume != null) {
                    p = Checkpoint.restore(resume, c, model, trainer);
                    log.printf(
                            Locale.ROOT,
                            "resumed from %s after epoch %d of %d (best epoch %d)%s%n",
                            resume,
                            p.epochsDone(),
                            c.maxEpochs(),
                            p.bestEpoch(),
                            p.finished() ? "; training had finished: " + p.stop() : "");
                    if (p.bestEpoch() > 0 && !Files.isRegularFile(out))
                        throw new IllegalArgumentException(
                                "the best model of " + resume + " should be at " + out);
                    log.flush();
                }
                ProgressLine bar = new ProgressLine(log, terminal, c.maxEpochs());
                while (!p.finished()) p = epoch(c, out, data, model, trainer, p, bar, kernels, log);
            }
            RunResult result = score(c, out, data, p, command, kernels, model, log);
            result.write(RunResult.pathFor(out));
            return result;
        }
    }

    private static void checkCounts(TrainingConfig c, Data data) {
        long v = data.validation() == null ? 0 : data.validation().count(),
                t = data.test() == null ? 0 : data.test().count();
        if (data.train().count() != c.trainCount() || v != c.valCount() || t != c.testCount())
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "the clips (%d training, %d validation, %d test) are not the"
                                    + " configuration's (%d, %d, %d)",
                            data.train().count(),
                            v,
                            t,
                            c.trainCount(),
                            c.valCount(),
                            c.testCount()));
    }

    private static TrainableLstm build(TrainingConfig c, LabelledClips train, Arena arena) {
        if (c.init() != null)
            return TrainableLstm.from(
                    LstmModelFile.read(c.init(), arena), train.classes(), c.seed(), arena);
        return TrainableLstm.initial(
                LayerFormat.parse(
                        c.format(),
                        RankSpec.parse(c.ranks()),
                        train.frameSize(),
                        c.hidden(),
                        GateFactors.training(c.rowFactors(), c.colFactors())),
                train.classes(),
                c.seed(),
                arena);
    }

    /**
     * Trains epoch {@code p.epochsDone() + 1}, scores validation, keeps the model if it is the best
     * so far, writes the curve and the checkpoint, then logs the epoch's line (so a run killed
     * after that line resumes after this epoch); returns the progress after it.
     */
    private static Checkpoint.Progress epoch(
            TrainingConfig c,
            Path out,
            Data data,
            TrainableLstm model,
            Trainer trainer,
            Checkpoint.Progress p,
            ProgressLine bar,
            String kernels,
            PrintWriter log) {
        int e = p.epochsDone();
        Trainer.EpochResult r = trainer.epoch(e, bar::update);
        bar.done();
        double valLoss = Double.NaN, valAcc = Double.NaN;
        if (data.validation() != null) {
            try (Arena eval = Arena.ofShared()) {
                ClassifierEvaluation.Result v =
                        ClassifierEvaluation.evaluate(
                                model.export(eval), data.validation(), EVAL_BATCH, c.threads());
                valLoss = v.crossEntropy();
                valAcc = v.accuracy().fraction();
            }
        }
        EpochLine line =
                new EpochLine(
                        e + 1,
                        r.meanLoss(),
                        r.accuracy(),
                        valLoss,
                        valAcc,
                        r.seconds(),
                        r.lastRate());
        boolean better =
                data.validation() == null
                        || p.bestEpoch() == 0
                        || valAcc > p.bestValAccuracy()
                        || (valAcc == p.bestValAccuracy() && valLoss < p.bestValLoss());
        if (better) model.write(out, classNames(data.train()));
        List<EpochLine> curve = new ArrayList<>(p.curve());
        curve.add(line);
        writeCurve(out, curve);
        int best = better ? e + 1 : p.bestEpoch(), since = better ? 0 : p.epochsSinceBest() + 1;
        String stop = "";
        if (c.patience() > 0 && since >= c.patience())
            stop =
                    "early stopping: validation accuracy has not improved for "
                            + since
                            + " epochs since epoch "
                            + best;
        else if (e + 1 == c.maxEpochs()) stop = "the maximum of " + c.maxEpochs() + " epochs";
        Checkpoint.Progress next =
                new Checkpoint.Progress(
                        e + 1,
                        trainer.updates(),
                        best,
                        better ? valAcc : p.bestValAccuracy(),
                        better ? valLoss : p.bestValLoss(),
                        since,
                        !stop.isEmpty(),
                        stop,
                        curve);
        Checkpoint.write(Checkpoint.pathFor(out), c, model, trainer, next, kernels);
        String validation =
                data.validation() == null
                        ? "no validation, saved " + out
                        : String.format(
                                Locale.ROOT,
                                "validation loss %.4f, accuracy %.2f%% (%s)",
                                valLoss,
                                100 * valAcc,
                                better ? "best: saved " + out : "best: epoch " + best);
        log.println(
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d: train loss %.4f, accuracy %.2f%%; %s; %.1f s (%.0f clips/s),"
                                + " rate %.3g",
                        e + 1,
                        c.maxEpochs(),
                        r.meanLoss(),
                        100 * r.accuracy(),
                        validation,
                        r.seconds(),
                        r.clips() / r.seconds(),
                        r.lastRate()));
        if (!stop.isEmpty()) log.println("stop: " + stop);
        log.flush();
        return next;
    }

    /** Scores the test clips once, on the best model read back from {@code out}. */
    private static RunResult score(
            TrainingConfig c,
            Path out,
            Data data,
            Checkpoint.Progress p,
            String command,
            String kernels,
            TrainableLstm model,
            PrintWriter log) {
        long testCorrect = 0;
        double testAcc = Double.NaN, testLoss = Double.NaN;
        if (data.test() != null && data.test().count() > 0) {
            try (Arena eval = Arena.ofShared()) {
                ClassifierEvaluation.Result t =
                        ClassifierEvaluation.evaluate(
                                LstmModelFile.readStack(out, eval),
                                data.test(),
                                EVAL_BATCH,
                                c.threads());
                testCorrect = t.accuracy().correct();
                testAcc = t.accuracy().fraction();
                testLoss = t.crossEntropy();
                log.printf(
                        Locale.ROOT,
                        "test (once, on the best epoch %d's model %s): %s%n",
                        p.bestEpoch(),
                        out,
                        t);
            }
        }
        double seconds = p.curve().stream().mapToDouble(EpochLine::seconds).sum();
        EpochLine best = p.curve().get(p.bestEpoch() - 1);
        log.printf(
                Locale.ROOT,
                "done: %d epochs (%s), best epoch %d, validation accuracy %.2f%%, test accuracy"
                        + " %.2f%%; %.1f s per epoch%n",
                p.epochsDone(),
                p.stop(),
                p.bestEpoch(),
                100 * best.valAccuracy(),
                100 * testAcc,
                seconds / p.epochsDone());
        log.flush();
        return new RunResult(
                command,
                c.options(),
                kernels,
                model.layerParameterCount(),
                p.bestEpoch(),
                p.epochsDone(),
                p.stop(),
                c.valCount(),
                best.valAccuracy(),
                best.valLoss(),
                c.testCount(),
                testCorrect,
                testAcc,
                testLoss,
                seconds / p.epochsDone(),
                seconds);
    }

    private static void writeCurve(Path model, List<EpochLine> curve) {
        StringBuilder sb = new StringBuilder(EpochLine.HEADER).append('\n');
        for (EpochLine l : curve) sb.append(l.toCsv()).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(curvePath(model), out -> out.write(bytes));
    }
}
