package fdht.train.lstm;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.layout.Weights;
import fdht.train.data.LabelledClips;
import fdht.train.optim.Adam;
import fdht.train.optim.GradientClipping;
import fdht.train.optim.LearningRateSchedule;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.BackwardProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mini-batch training of a {@link TrainableLstm} on labelled clips: each epoch visits the clips in
 * a fresh deterministic shuffle (seeded by {@code seed} and the epoch), drops the last partial
 * batch, and per batch runs BPTT on {@code threads} equal shards of the batch in parallel (each
 * thread its own {@link Bptt}), sums the shards' gradients, clips them by global norm, and takes an
 * Adam step at the rate of a warm-up + cosine schedule over all epochs.
 *
 * <p>The data order and the updates are fixed by the seed, batch and thread count, and so are the
 * floats: every sum's order is fixed by the code, whatever the JIT has compiled, so the same run
 * gives the same weights bit for bit in every JVM with the same kernels ({@code
 * TrainingDeterminismTest}); with {@link #adam()} and {@link #resumeAt} a run continued from a
 * checkpoint does too. Costs the workers' tapes and one batch of clips per worker. Not thread-safe;
 * {@link #close} stops the workers.
 */
public final class Trainer implements AutoCloseable {
    /** Hyper-parameters. {@code batch} must be a multiple of {@code threads}. */
    public record Options(
            int epochs,
            int batch,
            double learningRate,
            double weightDecay,
            double clipNorm,
            double warmupFraction,
            long seed,
            int threads) {
        public Options {
            if (epochs < 1 || batch < 1 || threads < 1)
                throw new IllegalArgumentException("epochs, batch and threads must be at least 1");
            if (batch % threads != 0)
                throw new IllegalArgumentException(
                        "batch " + batch + " is not a multiple of threads " + threads);
            if (!(learningRate > 0)
                    || !(clipNorm > 0)
                    || weightDecay < 0
                    || !(warmupFraction >= 0 && warmupFraction < 1)) {
                throw new IllegalArgumentException(
                        "need learning rate > 0, clip norm > 0, weight decay >= 0, 0 <= warm-up < 1");
            }
        }
    }

    /** What one epoch did. */
    public record EpochResult(
            int epoch,
            double meanLoss,
            double accuracy,
            long clips,
            double seconds,
            double lastRate) {}

    /** Called after every batch (for progress bars) with the running figures of the epoch. */
    public interface Progress {
        void batch(
                int epoch,
                long clipsDone,
                long clipsTotal,
                double meanLoss,
                double accuracy,
                double seconds);
    }

    private final TrainableLstm model;
    private final LabelledClips data;
    private final Options options;
    private final List<Parameter> parameters;
    private final int[] sizes;
    private final Adam adam;
    private final LearningRateSchedule schedule;
    private final Worker[] workers;
    private final ExecutorService pool;
    private final Kernels kernels = KernelProvider.kernels();
    private final BackwardKernels backward = BackwardProvider.kernels();
    private long updates;

    private final class Worker {
        final Bptt bptt;
        final MemorySegment clips;
        final int[] labels;
        final int[] one = new int[1];

        Worker(int shard, Arena arena) {
            bptt = new Bptt(model, shard, data.frames(), arena);
            clips = Weights.floats(arena, shard * data.clipFloats());
            labels = new int[shard];
        }

        Bptt.Result run(long[] order, int from, int n, double scale) {
            long clipBytes = data.clipFloats() * Float.BYTES;
            for (int b = 0; b < n; b++) {
                data.fill(order[from + b], 1, clips.asSlice(b * clipBytes, clipBytes), one);
                labels[b] = one[0];
            }
            return bptt.run(clips, labels, scale, kernels, backward);
        }
    }

    public Trainer(TrainableLstm model, LabelledClips data, Options options, Arena arena) {
        if (data.frameSize() != model.inputSize())
            throw new IllegalArgumentException(
                    "clips have "
                            + data.frameSize()
                            + " inputs per frame but the model takes "
                            + model.inputSize());
        if (data.classes() > model.classes())
            throw new IllegalArgumentException(
                    "labels go up to "
                            + (data.classes() - 1)
                            + " but the model has "
                            + model.classes()
                            + " classes");
        if (data.count() < options.batch())
            throw new IllegalArgumentException(
                    data.count() + " clips do not fill one batch of " + options.batch());
        this.model = model;
        this.data = data;
        this.options = options;
        this.parameters = model.parameters();
        this.sizes = parameters.stream().mapToInt(Parameter::size).toArray();
        this.adam = Adam.of(parameters, options.weightDecay(), arena);
        long perEpoch = data.count() / options.batch();
        long total = perEpoch * options.epochs();
        this.schedule =
                new LearningRateSchedule(
                        options.learningRate(),
                        (long) (options.warmupFraction() * total),
                        total,
                        0.02);
        int shard = options.batch() / options.threads();
        this.workers = new Worker[options.threads()];
        for (int w = 0; w < workers.length; w++) workers[w] = new Worker(shard, arena);
        this.pool =
                options.threads() > 1
                        ? Executors.newFixedThreadPool(
                                options.threads() - 1,
                                r -> {
                                    Thread t = new Thread(r, "fdht-train");
                                    t.setDaemon(true);
                                    return t;
                                })
                        : null;
    }

    /** Batches per epoch. */
    public long batchesPerEpoch() {
        return data.count() / options.batch();
    }

    /** Updates taken so far: the schedule's position. */
    public long updates() {
        return updates;
    }

    /** The optimiser, whose moments a checkpoint saves and writes back. */
    public Adam adam() {
        return adam;
    }

    /**
     * Continues after {@code updates} updates (a checkpoint's): the schedule's position and Adam's
     * step count; the caller has written back the parameters and Adam's moments.
     */
    public void resumeAt(long updates) {
        if (updates < 0 || updates > schedule.total())
            throw new IllegalArgumentException(
                    "update " + updates + " is outside this run's 0.." + schedule.total());
        this.updates = updates;
        adam.restoreSteps(updates);
    }

    /** Runs epoch {@code epoch} (0-based). */
    public EpochResult epoch(int epoch, Progress progress) {
        long n = data.count();
        long[] order = new long[(int) n];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int batch = options.batch(), shard = batch / options.threads();
        long batches = batchesPerEpoch();
        double lossSum = 0;
        long correct = 0, seen = 0;
        double rate = 0;
        long start = System.nanoTime();
        double scale = 1.0 / batch;
        for (long k = 0; k < batches; k++) {
            double[] r = batch(order, (int) (k * batch), shard, scale);
            lossSum += r[0];
            correct += (long) r[1];
            rate = r[2];
            seen += batch;
            if (progress != null)
                progress.batch(
                        epoch,
                        seen,
                        batches * batch,
                        lossSum / seen,
                        correct / (double) seen,
                        (System.nanoTime() - start) / 1e9);
        }
        return new EpochResult(
                epoch,
                lossSum / seen,
                correct / (double) seen,
                seen,
                (System.nanoTime() - start) / 1e9,
                rate);
    }

    /**
     * One update from the batch at {@code order[from..]}: {loss sum, hits, rate}. A method of its
     * own so that the JIT compiles it as a method, not only as on-stack replacement inside the
     * epoch loop.
     */
    private double[] batch(long[] order, int from, int shard, double scale) {
        for (Worker w : workers) w.bptt.clearGradients();
        List<Future<Bptt.Result>> pending = new ArrayList<>();
        for (int w = 1; w < workers.length; w++) {
            Worker wk = workers[w];
            int at = from + w * shard;
            pending.add(pool.submit(() -> wk.run(order, at, shard, scale)));
        }
        Bptt.Result r0 = workers[0].run(order, from, shard, scale);
        double lossSum = r0.lossSum();
        long correct = r0.correct();
        for (Future<Bptt.Result> f : pending) {
            try {
                Bptt.Result r = f.get();
                lossSum += r.lossSum();
                correct += r.correct();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re
                        ? re
                        : new IllegalStateException(e.getCause());
            }
        }
        MemorySegment[] g = workers[0].bptt.gradients();
        for (int w = 1; w < workers.length; w++) add(workers[w].bptt.gradients(), g);
        float clip = GradientClipping.scale(GradientClipping.norm(g, sizes), options.clipNorm());
        double rate = schedule.at(updates++);
        adam.step(g, rate, clip);
        model.refresh();
        return new double[] {lossSum, correct, rate};
    }

    private void add(MemorySegment[] from, MemorySegment[] into) {
        for (int i = 0; i < from.length; i++) {
            for (int e = 0; e < sizes[i]; e++) {
                into[i].setAtIndex(
                        ValueLayout.JAVA_FLOAT,
                        e,
                        into[i].getAtIndex(ValueLayout.JAVA_FLOAT, e)
                                + from[i].getAtIndex(ValueLayout.JAVA_FLOAT, e));
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
