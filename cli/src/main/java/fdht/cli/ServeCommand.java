package fdht.cli;

import fdht.kernels.model.Model;
import fdht.serve.OipServer;
import fdht.serve.ServeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht serve}: serves a model over the Open Inference Protocol (KServe v2 REST) until
 * SIGTERM or Ctrl-C, then stops gracefully: no new connections, requests in flight answered, live
 * sequences drained. Binds to 127.0.0.1 unless told otherwise. See docs/SERVING.md.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve a model over the Open Inference Protocol (KServe v2 REST); see docs/SERVING.md.")
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(
            names = "--name",
            description =
                    "the model's name in the URLs (default: the file name without .safetensors)")
    String name;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "address to bind (default: ${DEFAULT-VALUE}, loopback only)")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8000",
            description = "port (default: ${DEFAULT-VALUE}; 0: any free one)")
    int port;

    @Option(
            names = "--max-body",
            defaultValue = "67108864",
            description = "largest request body in bytes, 413 beyond (default: ${DEFAULT-VALUE})")
    long maxBody;

    @Option(
            names = "--max-frames",
            defaultValue = "4096",
            description =
                    "most frames (B x T) in one request, 413 beyond (default: ${DEFAULT-VALUE})")
    int maxFrames;

    @Option(
            names = "--max-sequences",
            defaultValue = "1024",
            description = "sequences open at once, 429 beyond (default: ${DEFAULT-VALUE})")
    int maxSequences;

    @Option(
            names = "--idle-timeout-ms",
            defaultValue = "1000",
            description = "a sequence idle this long is ended (default: ${DEFAULT-VALUE})")
    long idleMs;

    @Option(
            names = "--request-timeout-ms",
            defaultValue = "30000",
            description = "longest wait for a result, 503 then (default: ${DEFAULT-VALUE})")
    long requestMs;

    @Option(
            names = "--steppers",
            defaultValue = "1",
            description =
                    "threads stepping the sequences' frame groups (default: ${DEFAULT-VALUE})")
    int steppers;

    @Option(
            names = "--max-delay-us",
            defaultValue = "200",
            description =
                    "longest a frame waits for others to fill its group, in microseconds"
                            + " (default: ${DEFAULT-VALUE})")
    long maxDelayUs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (steppers < 1)
            throw new IllegalArgumentException("--steppers " + steppers + ": expected at least 1");
        if (maxDelayUs < 0 || maxDelayUs > 1_000_000)
            throw new IllegalArgumentException(
                    "--max-delay-us " + maxDelayUs + ": expected 0 to 1,000,000 (one second)");
        ServeConfig config =
                ServeConfig.DEFAULT
                        .withAddress(host, port)
                        .withRequestLimits(
                                maxBody,
                                maxFrames,
                                Duration.ofMillis(requestMs),
                                ServeConfig.DEFAULT.readTimeout())
                        .withSequenceLimits(
                                maxSequences,
                                ServeConfig.DEFAULT.batching().queuePerStream(),
                                Duration.ofMillis(idleMs))
                        .withBatching(steppers, Duration.ofNanos(maxDelayUs * 1000));
        CountDownLatch stopped = new CountDownLatch(1);
        try (Model m = Model.load(model)) {
            OipServer server = OipServer.start(m, name, config);
            Thread hook =
                    new Thread(
                            () -> {
                                server.close();
                                stopped.countDown();
                            },
                            "fdht-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf(
                    "serving %s as %s on http://%s:%d/v2 (SIGTERM or Ctrl-C stops)%n",
                    m.describe(), server.modelName(), host, server.port());
            out.flush();
            stopped.await(); // until the shutdown hook closed the server
        }
        return 0;
    }
}
