package fdht.serve;

import java.time.Duration;

/**
 * How {@code fdht serve} runs: where it listens and its limits, each with the status it answers.
 * Immutable; {@code withX} methods return changed copies.
 *
 * @param host the address to bind (default 127.0.0.1: loopback only)
 * @param port the port (0: any free one; default 8000)
 * @param maxBodyBytes the largest request body (413 beyond; default 64 MiB)
 * @param maxFrames the most frames in one request, {@code B x T} (413 beyond; default 4096)
 * @param maxStreams sequences open at once (429 beyond; default 1024)
 * @param queuePerStream frames waiting per sequence (429 beyond; default 64)
 * @param idleTimeout a sequence idle this long is ended (default 1 s, as Triton's)
 * @param requestTime the longest a request waits for its result (503 then; default 30 s)
 * @param readTimeout the longest the server waits for a client's bytes before dropping the
 *     connection (a client sending its body a byte at a time; default 10 s)
 * @param clipThreads threads running whole clips and batches (default: the processors)
 * @param steppers the batcher's stepper threads (default 1)
 * @param maxDelay the longest the batcher lets a frame wait for others to fill its group (default
 *     200 us)
 */
public record ServeConfig(
        String host,
        int port,
        long maxBodyBytes,
        int maxFrames,
        int maxStreams,
        int queuePerStream,
        Duration idleTimeout,
        Duration requestTime,
        Duration readTimeout,
        int clipThreads,
        int steppers,
        Duration maxDelay) {
    /** The defaults above. */
    public static final ServeConfig DEFAULT =
            new ServeConfig(
                    "127.0.0.1",
                    8000,
                    64L << 20,
                    4096,
                    1024,
                    64,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Runtime.getRuntime().availableProcessors(),
                    1,
                    Duration.ofNanos(200_000));

    /** Checks every value, naming the one that is wrong. */
    public ServeConfig {
        if (host == null || host.isBlank())
            throw new IllegalArgumentException("host: expected an address");
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("port " + port + ": expected 0..65535");
        if (maxBodyBytes < 1
                || maxFrames < 1
                || maxStreams < 1
                || queuePerStream < 1
                || clipThreads < 1
                || steppers < 1)
            throw new IllegalArgumentException(
                    "limits must be at least 1: "
                            + maxBodyBytes
                            + " body bytes, "
                            + maxFrames
                            + " frames, "
                            + maxStreams
                            + " streams, "
                            + queuePerStream
                            + " queue, "
                            + clipThreads
                            + " clip threads, "
                            + steppers
                            + " steppers");
        for (Duration d : new Duration[] {idleTimeout, requestTime, readTimeout})
            if (d == null || d.isNegative() || d.isZero())
                throw new IllegalArgumentException("timeouts must be positive durations, got " + d);
        if (maxDelay == null || maxDelay.isNegative())
            throw new IllegalArgumentException(
                    "maxDelay " + maxDelay + ": expected a duration >= 0");
    }

    /** With another address and port. */
    public ServeConfig withAddress(String h, int p) {
        Edit e = new Edit(this);
        e.host = h;
        e.port = p;
        return e.done();
    }

    /** With other request limits. */
    public ServeConfig withRequestLimits(long bodyBytes, int frames, Duration time, Duration read) {
        Edit e = new Edit(this);
        e.maxBodyBytes = bodyBytes;
        e.maxFrames = frames;
        e.requestTime = time;
        e.readTimeout = read;
        return e.done();
    }

    /** With other sequence limits. */
    public ServeConfig withSequenceLimits(int streams, int queue, Duration idle) {
        Edit e = new Edit(this);
        e.maxStreams = streams;
        e.queuePerStream = queue;
        e.idleTimeout = idle;
        return e.done();
    }

    /** With another number of stepper threads and batching delay. */
    public ServeConfig withBatching(int stepperThreads, Duration delay) {
        Edit e = new Edit(this);
        e.steppers = stepperThreads;
        e.maxDelay = delay;
        return e.done();
    }

    /**
     * A mutable copy, for the {@code withX} methods (the record's constructor checks the result).
     */
    private static final class Edit {
        String host;
        int port;
        long maxBodyBytes;
        int maxFrames;
        int maxStreams;
        int queuePerStream;
        Duration idleTimeout;
        Duration requestTime;
        Duration readTimeout;
        int clipThreads;
        int steppers;
        Duration maxDelay;

        Edit(ServeConfig c) {
            host = c.host;
            port = c.port;
            maxBodyBytes = c.maxBodyBytes;
            maxFrames = c.maxFrames;
            maxStreams = c.maxStreams;
            queuePerStream = c.queuePerStream;
            idleTimeout = c.idleTimeout;
            requestTime = c.requestTime;
            readTimeout = c.readTimeout;
            clipThreads = c.clipThreads;
            steppers = c.steppers;
            maxDelay = c.maxDelay;
        }

        ServeConfig done() {
            return new ServeConfig(
                    host,
                    port,
                    maxBodyBytes,
                    maxFrames,
                    maxStreams,
                    queuePerStream,
                    idleTimeout,
                    requestTime,
                    readTimeout,
                    clipThreads,
                    steppers,
                    maxDelay);
        }
    }
}
