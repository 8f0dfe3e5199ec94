package fdht.train.eval;

import fdht.kernels.lstm.FixedPointLstm;
import fdht.train.data.ClipBatch;
import fdht.train.data.LabelledClips;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The accuracy and mean cross-entropy of a model run in the accelerator's fixed-point arithmetic
 * ({@link FixedPointLstm}) over labelled clips: what {@link ClassifierEvaluation} measures of the
 * float kernels, so the two can be set side by side. A batch of clips at a time, its clips split
 * over {@code threads} threads; the result does not depend on the batch or the threads (every clip
 * is computed on its own, in integers, and the scores are summed in clip order).
 *
 * <p>Cost: {@code count x frames} fixed-point LSTM steps (scalar: about a nanosecond per
 * multiply-add). Thread safety: stateless.
 */
public final class FixedPointEvaluation {
    private FixedPointEvaluation() {}

    /**
     * Scores {@code model} on every clip of {@code clips}. Throws {@link IllegalArgumentException}
     * when the clips' frames are not the model's input or their labels go beyond its classes.
     */
    public static ClassifierEvaluation.Result evaluate(
            FixedPointLstm model, LabelledClips clips, int batch, int threads) {
        ClassifierEvaluation.requireFits(clips, model.inputSize(), model.classes());
        if (batch < 1 || threads < 1)
            throw new IllegalArgumentException(
                    "batch " + batch + " and threads " + threads + " must be at least 1");
        long count = clips.count();
        long[] right = new long[model.classes()], seen = new long[model.classes()];
        if (count == 0)
            return new ClassifierEvaluation.Result(new Accuracy(0, 0), Double.NaN, right, seen);
        int rows = (int) Math.min(batch, count), frames = clips.frames();
        long correct = 0;
        double loss = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, rows));
        try (Arena arena = Arena.ofShared()) {
            ClipBatch buf = ClipBatch.of(clips, rows, arena);
            for (long first = 0; first < count; first += rows) {
                int n = (int) Math.min(rows, count - first);
                buf.load(clips, first, n);
                List<Future<float[]>> logits = new ArrayList<>(n);
                for (int b = 0; b < n; b++) {
                    long offset = b * clips.clipFloats();
                    logits.add(pool.submit(() -> model.logits(buf.clips(), offset, frames)));
                }
                for (int b = 0; b < n; b++) {
                    float[] y = logits.get(b).get();
                    int label = buf.labels()[b];
                    int best = 0;
                    for (int k = 1; k < y.length; k++) if (y[k] > y[best]) best = k;
                    seen[label]++;
                    if (best == label) {
                        correct++;
                        right[label]++;
                    }
                    double sum = 0; // log-sum-exp shifted by the maximum
                    for (float v : y) sum += Math.exp(v - (double) y[best]);
                    loss += Math.log(sum) + y[best] - y[label];
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scoring", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new ClassifierEvaluation.Result(
                new Accuracy(correct, count), loss / count, right, seen);
    }
}
