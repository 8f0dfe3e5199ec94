package fdht.serve;

import fdht.kernels.model.FrameListener;
import fdht.kernels.model.SequenceBatcher;
import fdht.serve.oip.OipException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Triton's sequence extension on the {@link SequenceBatcher}: the open sequences by id, each a
 * stream whose listener completes one future per request, in push order. A request for a sequence
 * that was never started (or has ended or expired) is refused (400), a start beyond the batcher's
 * streams or a frame beyond its queue is a 429. Thread-safe.
 */
final class Sequences {
    private final SequenceBatcher batcher;
    private final Map<Long, Session> open = new ConcurrentHashMap<>();

    Sequences(SequenceBatcher batcher) {
        this.batcher = batcher;
    }

    int open() {
        return open.size();
    }

    /** One sequence: its stream and the requests waiting for their frame's output. */
    private final class Session implements FrameListener {
        final long id;
        final ArrayDeque<CompletableFuture<float[][]>> waiting = new ArrayDeque<>();
        volatile SequenceBatcher.Stream stream;

        Session(long id) {
            this.id = id;
        }

        private synchronized CompletableFuture<float[][]> next() {
            return waiting.poll();
        }

        @Override
        public void onOutput(
                long sequenceId,
                long frameIndex,
                MemorySegment logits,
                MemorySegment hidden,
                boolean last) {
            CompletableFuture<float[][]> f = next();
            if (f != null)
                f.complete(
                        new float[][] {
                            logits == null ? null : logits.toArray(ValueLayout.JAVA_FLOAT),
                            hidden == null ? null : hidden.toArray(ValueLayout.JAVA_FLOAT)
                        });
        }

        private void over(OipException why) {
            open.remove(id, this);
            synchronized (this) {
                for (CompletableFuture<float[][]> f : waiting) f.completeExceptionally(why);
                waiting.clear();
            }
        }

        @Override
        public void onEnd(long sequenceId, long frames) {
            over(new OipException(400, "sequence " + id + " ended"));
        }

        @Override
        public void onError(long sequenceId, long frameIndex, RuntimeException error) {
            over(
                    new OipException(
                            400,
                            "sequence "
                                    + id
                                    + ", frame "
                                    + frameIndex
                                    + ": "
                                    + error.getMessage()));
        }

        @Override
        public void onExpired(long sequenceId) {
            over(
                    new OipException(
                            400,
                            "sequence "
                                    + id
                                    + " expired: idle longer than the server's idle timeout"));
        }

        @Override
        public void onDropped(long sequenceId, long frames) {
            over(new OipException(503, "the server is shutting down: sequence " + id + " ended"));
        }
    }

    /**
     * The batcher's stream for a new session. A sequence that just ended keeps its id in the
     * batcher until its end callback returned, so a restart of the same id right after its end may
     * wait for that, briefly.
     */
    private SequenceBatcher.Stream openStream(Session s) {
        for (int attempt = 0; ; attempt++) {
            try {
                return batcher.open(s.id, s);
            } catch (IllegalStateException e) {
                if (e.getMessage().contains("open already") && attempt < 100) {
                    try {
                        Thread.sleep(1); // at most 100 ms in all
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                        throw new OipException(503, "interrupted");
                    }
                    continue;
                }
                open.remove(s.id, s);
                boolean full = e.getMessage().contains("maxStreams");
                throw new OipException(full ? 429 : 503, e.getMessage());
            }
        }
    }

    /**
     * Pushes one frame of sequence {@code id} and waits for its output.
     *
     * @return {logits or null, hidden or null}
     */
    float[][] step(long id, boolean start, boolean end, float[] frame, Duration timeout) {
        Session s;
        if (start) {
            s = new Session(id);
            if (open.putIfAbsent(id, s) != null)
                throw new OipException(
                        400,
                        "sequence "
                                + id
                                + " is already started: end it first, or use another sequence_id");
            s.stream = openStream(s);
        } else {
            s = open.get(id);
            if (s == null)
                throw new OipException(
                        400,
                        "sequence "
                                + id
                                + " was never started, or has ended or expired: its first request needs sequence_start");
        }
        CompletableFuture<float[][]> result = new CompletableFuture<>();
        synchronized (s) {
            if (s.stream == null)
                throw new OipException(400, "sequence " + id + " is still starting");
            s.waiting.add(result);
            boolean queued;
            try {
                queued = s.stream.offer(frame, end);
            } catch (IllegalArgumentException e) {
                s.waiting.remove(result);
                throw new OipException(400, e.getMessage());
            } catch (IllegalStateException e) {
                s.waiting.remove(result);
                throw new OipException(400, e.getMessage());
            }
            if (!queued) {
                s.waiting.remove(result);
                throw new OipException(
                        429, "sequence " + id + ": its queue is full, frame refused: retry later");
            }
        }
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new OipException(
                    503,
                    "sequence " + id + ": no output within the server's request time " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OipException(503, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OipException o) throw o;
            throw new IllegalStateException(e.getCause());
        }
    }
}
