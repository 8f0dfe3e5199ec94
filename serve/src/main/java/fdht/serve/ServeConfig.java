package fdht.serve;

import fdht.kernels.model.SequenceBatcher;
import java.time.Duration;

/**
 * How {@code fdht serve} runs: where it listens and its limits, each with the status it answers.
 * Immutable; {@code withX} methods return changed copies.
 *
 * @param host the address to bind (default 127.0.0.1: loopback only)
 * @param port the port (0: any free one; default 8000)
 * @param maxBodyBytes the largest request body (413 beyond; default 64 MiB)
 * @param maxFrames the most frames in one request, {@code B x T} (413 beyond; default 4096)
 * @param requestTime the longest a request waits for its result (503 then; default 30 s)
 * @param readTimeout the longest the server waits for a client's bytes before dropping the
 *     connection (a client sending its body a byte at a time; default 10 s)
 * @param clipThreads threads running whole clips and batches (default: the processors)
 * @param batching the sequence batcher's options ({@link SequenceBatcher.Options#DEFAULT}: 1024
 *     sequences open at once, 429 beyond; 64 frames waiting per sequence, 429 beyond; a sequence
 *     idle 1 s is ended, as Triton's; 1 stepper thread; 200 us of batching delay); its outputs are
 *     set from the model (logits when it has a head, and hidden states)
 */
public record ServeConfig(
        String host,
        int port,
        long maxBodyBytes,
        int maxFrames,
        Duration requestTime,
        Duration readTimeout,
        int clipThreads,
        SequenceBatcher.Options batching) {
    /** The defaults above. */
    public static final ServeConfig DEFAULT =
            new ServeConfig(
                    "127.0.0.1",
                    8000,
                    64L << 20,
                    4096,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Runtime.getRuntime().availableProcessors(),
                    SequenceBatcher.Options.DEFAULT);

    /** Checks every value, naming the one that is wrong (the batcher's options check their own). */
    public ServeConfig {
        if (host == null || host.isBlank())
            throw new IllegalArgumentException("host: expected an address");
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("port " + port + ": expected 0..65535");
        if (maxBodyBytes < 1 || maxFrames < 1 || clipThreads < 1)
            throw new IllegalArgumentException(
                    "limits must be at least 1: "
                            + maxBodyBytes
                            + " body bytes, "
                            + maxFrames
                            + " frames, "
                            + clipThreads
                            + " clip threads");
        for (Duration d : new Duration[] {requestTime, readTimeout})
            if (d == null || d.isNegative() || d.isZero())
                throw new IllegalArgumentException("timeouts must be positive durations, got " + d);
        if (batching == null)
            throw new IllegalArgumentException("batching: expected SequenceBatcher.Options");
    }

    /** With another address and port. */
    public ServeConfig withAddress(String h, int p) {
        return new ServeConfig(
                h, p, maxBodyBytes, maxFrames, requestTime, readTimeout, clipThreads, batching);
    }

    /** With other request limits. */
    public ServeConfig withRequestLimits(long bodyBytes, int frames, Duration time, Duration read) {
        return new ServeConfig(host, port, bodyBytes, frames, time, read, clipThreads, batching);
    }

    /** With other batcher options. */
    public ServeConfig withBatching(SequenceBatcher.Options o) {
        return new ServeConfig(
                host, port, maxBodyBytes, maxFrames, requestTime, readTimeout, clipThreads, o);
    }

    /** With other sequence limits: open sequences, frames waiting per sequence, idle timeout. */
    public ServeConfig withSequenceLimits(int streams, int queue, Duration idle) {
        return withBatching(
                batching.withMaxStreams(streams).withQueuePerStream(queue).withIdleTimeout(idle));
    }

    /** With another number of stepper threads and batching delay. */
    public ServeConfig withBatching(int stepperThreads, Duration delay) {
        return withBatching(batching.withSteppers(stepperThreads).withMaxDelay(delay));
    }
}
