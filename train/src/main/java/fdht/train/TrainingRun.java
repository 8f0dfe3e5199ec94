package fdht.train;

import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.io.AtomicFile;
import fdht.train.data.LabelledClips;
import fdht.train.eval.ClassifierEvaluation;
import fdht.train.lstm.TrainableLstm;
import fdht.train.lstm.Trainer;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One training run as {@code fdht train} does it: builds (or loads, for fine-tuning) the model,
 * trains epoch by epoch, scores the test clips after each epoch through the inference kernels (the
 * exported {@link Lstm}, as {@code fdht eval} would), writes the model atomically after every epoch
 * (a crash or Ctrl-C leaves the last whole checkpoint) and the curve of the run as CSV beside it
 * ({@code <out>.csv}: epoch, train loss, train accuracy, test loss, test accuracy, seconds).
 *
 * <p>Not thread-safe; uses {@code threads} threads for training and evaluation.
 */
public final class TrainingRun {
    /**
     * Everything a run needs. {@code init} may be null; {@code test} may be null (no test scoring).
     */
    public record Config(
            String format,
            String ranks,
            int hidden,
            int epochs,
            int batch,
            long seed,
            Path out,
            Path init,
            int threads,
            double learningRate,
            double weightDecay,
            double clipNorm,
            double warmupFraction) {}

    /** One line of the curve. */
    public record EpochLine(
            int epoch,
            double trainLoss,
            double trainAccuracy,
            double testLoss,
            double testAccuracy,
            double seconds) {}

    private TrainingRun() {}

    /**
     * Trains on {@code train}, scores on {@code test}; progress to {@code log} (a bar when {@code
     * terminal}).
     */
    public static List<EpochLine> run(
            Config c, LabelledClips train, LabelledClips test, PrintWriter log, boolean terminal) {
        List<EpochLine> curve = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            TrainableLstm model;
            if (c.init() != null) {
                model =
                        TrainableLstm.from(
                                LstmModelFile.read(c.init(), arena),
                                train.classes(),
                                c.seed(),
                                arena);
            } else {
                model =
                        TrainableLstm.initial(
                                LayerFormat.parse(
                                        c.format(),
                                        RankSpec.parse(c.ranks()),
                                        train.frameSize(),
                                        c.hidden(),
                                        GateFactors.TRAINING),
                                train.classes(),
                                c.seed(),
                                arena);
            }
            List<String> names = // the data set's class names go into the model file
                    train.classNames().size() == train.classes() ? train.classNames() : List.of();
            log.println("model: " + model.describe());
            log.println(
                    "data: "
                            + train.count()
                            + " training clips, "
                            + (test == null ? 0 : test.count())
                            + " test clips; batch "
                            + c.batch()
                            + ", "
                            + c.epochs()
                            + " epochs, "
                            + c.threads()
                            + " thread(s), kernels "
                            + fdht.kernels.KernelProvider.kernels().name());
            log.flush();
            Trainer.Options o =
                    new Trainer.Options(
                            c.epochs(),
                            c.batch(),
                            c.learningRate(),
                            c.weightDecay(),
                            c.clipNorm(),
                            c.warmupFraction(),
                            c.seed(),
                            c.threads());
            try (Trainer trainer = new Trainer(model, train, o, arena)) {
                ProgressLine bar = new ProgressLine(log, terminal, c.epochs());
                for (int e = 0; e < c.epochs(); e++) {
                    Trainer.EpochResult r = trainer.epoch(e, bar::update);
                    bar.done();
                    double testLoss = Double.NaN, testAcc = Double.NaN;
                    if (test != null && test.count() > 0) {
                        try (Arena eval = Arena.ofShared()) {
                            ClassifierEvaluation.Result res =
                                    ClassifierEvaluation.evaluate(
                                            model.export(eval), test, 64, c.threads());
                            testLoss = res.crossEntropy();
                            testAcc = res.accuracy().fraction();
                        }
                    }
                    EpochLine line =
                            new EpochLine(
                                    e + 1,
                                    r.meanLoss(),
                                    r.accuracy(),
                                    testLoss,
                                    testAcc,
                                    r.seconds());
                    curve.add(line);
                    model.write(c.out(), names);
                    writeCurve(c.out(), curve);
                    log.println(
                            String.format(
                                    Locale.ROOT,
                                    "epoch %d/%d: train loss %.4f, accuracy %.2f%%; test loss %.4f, accuracy %.2f%%; %.1f s (%.0f clips/s); saved %s",
                                    e + 1,
                                    c.epochs(),
                                    r.meanLoss(),
                                    100 * r.accuracy(),
                                    testLoss,
                                    100 * testAcc,
                                    r.seconds(),
                                    r.clips() / r.seconds(),
                                    c.out()));
                    log.flush();
                }
            }
        }
        return curve;
    }

    /** The curve's CSV path for a model path. */
    public static Path curvePath(Path model) {
        return model.resolveSibling(model.getFileName() + ".csv");
    }

    private static void writeCurve(Path model, List<EpochLine> curve) {
        StringBuilder sb =
                new StringBuilder(
                        "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n");
        for (EpochLine l : curve) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.6f,%.6f,%.6f,%.6f,%.3f%n",
                            l.epoch(),
                            l.trainLoss(),
                            l.trainAccuracy(),
                            l.testLoss(),
                            l.testAccuracy(),
                            l.seconds()));
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(curvePath(model), out -> out.write(bytes));
    }

    /**
     * A progress bar (carriage return, terminal) or a line every tenth of an epoch (pipes, logs).
     */
    static final class ProgressLine {
        private final PrintWriter out;
        private final boolean terminal;
        private final int epochs;
        private long lastNanos;
        private int lastTenth = -1;

        ProgressLine(PrintWriter out, boolean terminal, int epochs) {
            this.out = out;
            this.terminal = terminal;
            this.epochs = epochs;
        }

        void update(int epoch, long done, long total, double loss, double acc, double seconds) {
            double rate = done / Math.max(seconds, 1e-9);
            double eta = (total - done) / Math.max(rate, 1e-9);
            String figures =
                    String.format(
                            Locale.ROOT,
                            "epoch %d/%d %6d/%d loss %.4f acc %5.1f%% %6.0f clips/s ETA %s",
                            epoch + 1,
                            epochs,
                            done,
                            total,
                            loss,
                            100 * acc,
                            rate,
                            time(eta));
            if (terminal) {
                long now = System.nanoTime();
                if (now - lastNanos < 200_000_000L && done < total) return;
                lastNanos = now;
                int width = 24, filled = (int) (width * done / Math.max(1, total));
                out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + figures);
                out.flush();
            } else {
                int tenth = (int) (10 * done / Math.max(1, total));
                if (tenth != lastTenth && tenth < 10) {
                    lastTenth = tenth;
                    out.println(figures);
                    out.flush();
                }
            }
        }

        void done() {
            if (terminal) out.println();
            lastTenth = -1;
        }

        static String time(double s) {
            long t = Math.round(s);
            return t >= 3600
                    ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                    : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
        }
    }
}
