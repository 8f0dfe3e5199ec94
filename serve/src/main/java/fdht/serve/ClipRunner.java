package fdht.serve;

import fdht.kernels.model.Model;
import fdht.kernels.model.Predictor;
import fdht.serve.oip.OipException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs whole clips and batches of the HTTP requests on a few platform threads, each with a {@link
 * Predictor} of its own (a predictor's buffers are confined to its thread, and the server's request
 * threads are virtual: one predictor each would be one per request). A request waits for its run at
 * most the server's request time. Thread-safe.
 */
final class ClipRunner implements AutoCloseable {
    private final Model model;
    private final ExecutorService threads;
    private final ThreadLocal<Predictor> predictors;

    ClipRunner(Model model, int threads) {
        this.model = model;
        this.threads =
                Executors.newFixedThreadPool(
                        threads, Thread.ofPlatform().daemon().name("fdht-clips-", 0).factory());
        this.predictors = ThreadLocal.withInitial(model::newPredictor);
    }

    /**
     * The logits {@code [B*C]} and last hidden states {@code [B*H]} of a batch of clips.
     *
     * @param clips {@code B x T x N} values
     * @return {logits (null without a head), hidden}
     */
    float[][] run(
            float[] clips,
            int batch,
            int frames,
            boolean logits,
            boolean hidden,
            Duration timeout) {
        Future<float[][]> f;
        try {
            f = threads.submit(() -> runHere(clips, batch, frames, logits, hidden));
        } catch (RejectedExecutionException e) {
            throw new OipException(503, "the server is shutting down");
        }
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new OipException(
                    503, "the request took longer than the server's request time " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OipException(503, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException bad)
                throw new OipException(400, bad.getMessage());
            throw new IllegalStateException(e.getCause());
        }
    }

    private float[][] runHere(
            float[] clips, int batch, int frames, boolean logits, boolean hidden) {
        Predictor p = predictors.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = MemorySegment.ofArray(clips);
            float[] y = null, h = null;
            if (logits) {
                y = new float[batch * model.classes()];
                p.logits(in, batch, frames, y);
            }
            if (hidden) {
                MemorySegment last =
                        arena.allocate((long) batch * model.outputSize() * Float.BYTES);
                p.lastHidden(in, batch, frames, last);
                h = last.toArray(ValueLayout.JAVA_FLOAT);
            }
            return new float[][] {y, h};
        }
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
