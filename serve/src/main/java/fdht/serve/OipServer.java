package fdht.serve;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fdht.kernels.model.Model;
import fdht.kernels.model.Outputs;
import fdht.kernels.model.SequenceBatcher;
import fdht.serve.oip.InferRequest;
import fdht.serve.oip.InferResponse;
import fdht.serve.oip.OipException;
import fdht.serve.oip.Tensor;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code fdht serve}: one model over the Open Inference Protocol (KServe v2 REST) on Helidon SE's
 * WebServer (a virtual thread per request): health, server and model metadata, and inference of
 * whole clips {@code [T, N]}, batches {@code [B, T, N]} and, with Triton's sequence extension, one
 * frame {@code [1, N]} of a live sequence at a time on the {@link SequenceBatcher}; JSON or
 * Triton's binary tensor data; Prometheus metrics at {@code /metrics}. Every error is {@code
 * {"error": "..."}} with its status (see docs/SERVING.md). Outputs are what the model API gives
 * ({@code fdht infer}), bit for bit.
 *
 * <p>Cost: a request parses its body once (JSON values or raw floats), runs on the clip threads or
 * the batcher, and answers. Thread-safe. {@link #close} stops listening, lets requests in flight
 * finish (Helidon's graceful stop), then drains the batcher; it does not close the model.
 */
public final class OipServer implements AutoCloseable {
    static final HeaderName HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");
    private static final String INPUT = "input", LOGITS = "logits", HIDDEN = "hidden";

    private final Model model;
    private final String name;
    private final ServeConfig config;
    // numbers in JSON tensors: Jackson's FastDoubleParser and Schubfach writer, not the JDK's
    // FloatingDecimal (measured: parsing a 4,096-number frame was 56% of the server's time)
    private final ObjectMapper json =
            JsonMapper.builder()
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .build();
    private final SequenceBatcher batcher;
    private final Sequences sequences;
    private final ClipRunner clips;
    private final ServeMetrics metrics;
    private final WebServer server;
    private volatile boolean stopping;
    private final ScheduledExecutorService slowClients =
            Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("fdht-serve-watchdog").factory());

    private OipServer(Model model, String name, ServeConfig config) {
        this.model = model;
        this.name = name;
        this.config = config;
        Outputs outputs = model.hasHead() ? Outputs.BOTH : Outputs.HIDDEN;
        this.batcher =
                model.streamable()
                        ? model.newBatcher(config.batching().withOutputs(outputs))
                        : null;
        this.sequences = batcher == null ? null : new Sequences(batcher);
        this.clips = new ClipRunner(model, config.clipThreads());
        this.metrics =
                new ServeMetrics(
                        () ->
                                batcher == null
                                        ? new SequenceBatcher.Stats(0, 0, 0, 0, 0, 1)
                                        : batcher.stats());
        try {
            this.server =
                    WebServer.builder()
                            .host(config.host())
                            .port(config.port())
                            .maxPayloadSize(config.maxBodyBytes())
                            .connectionOptions(o -> o.readTimeout(config.readTimeout()))
                            .shutdownHook(false)
                            .routing(this::routes)
                            .build()
                            .start();
        } catch (RuntimeException e) {
            clips.close();
            if (batcher != null) batcher.shutdownNow();
            throw e;
        }
    }

    /**
     * Starts serving a model.
     *
     * @param model the model (stays the caller's: close it after the server)
     * @param name its name in the URLs, null for {@link Model#name()}
     * @param config address and limits
     * @return the running server
     */
    public static OipServer start(Model model, String name, ServeConfig config) {
        if (model == null || config == null)
            throw new IllegalArgumentException("expected a model and a config");
        return new OipServer(model, name == null || name.isBlank() ? model.name() : name, config);
    }

    /**
     * The port it listens on (the one chosen when the config said 0).
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * The model's name in the URLs.
     *
     * @return the name
     */
    public String modelName() {
        return name;
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/v2", (req, res) -> answer("server", res, () -> serverMetadata()))
                .get(
                        "/v2/health/live",
                        (req, res) ->
                                answer(
                                        "health",
                                        res,
                                        () -> json.createObjectNode().put("live", true)))
                .get(
                        "/v2/health/ready",
                        (req, res) ->
                                answer(
                                        "health",
                                        res,
                                        () -> {
                                            if (stopping)
                                                throw new OipException(503, "shutting down");
                                            return json.createObjectNode().put("ready", true);
                                        }))
                .get(
                        "/v2/models/{name}",
                        (req, res) -> answer("metadata", res, () -> modelMetadata(req)))
                .get(
                        "/v2/models/{name}/ready",
                        (req, res) ->
                                answer(
                                        "health",
                                        res,
                                        () -> {
                                            known(req);
                                            if (stopping)
                                                throw new OipException(503, "shutting down");
                                            return json.createObjectNode()
                                                    .put("name", name)
                                                    .put("ready", true);
                                        }))
                .post("/v2/models/{name}/infer", this::infer)
                .get(
                        "/metrics",
                        (req, res) -> {
                            res.header(
                                    HeaderNames.CONTENT_TYPE,
                                    "text/plain; version=0.0.4; charset=utf-8");
                            res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
                        });
    }

    private interface Body {
        Object get();
    }

    private void answer(String kind, ServerResponse res, Body body) {
        long t0 = System.nanoTime();
        int status = 200;
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body.get());
        } catch (OipException e) {
            status = e.status();
            bytes = error(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
        metrics.request(kind, status, System.nanoTime() - t0);
    }

    private byte[] error(String message) {
        try {
            return json.writeValueAsBytes(json.createObjectNode().put("error", message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode serverMetadata() {
        ObjectNode o = json.createObjectNode().put("name", "fdht").put("version", "0.1.0");
        ArrayNode ext = o.putArray("extensions");
        ext.add("binary_tensor_data");
        if (batcher != null) ext.add("sequence");
        return o;
    }

    private void known(ServerRequest req) {
        String asked = req.path().pathParameters().get("name");
        if (!asked.equals(name))
            throw new OipException(404, "unknown model " + asked + ": this server serves " + name);
    }

    private ObjectNode modelMetadata(ServerRequest req) {
        known(req);
        ObjectNode o = json.createObjectNode().put("name", name).put("platform", "fdht");
        o.putArray("versions").add("1");
        ObjectNode in = o.putArray("inputs").addObject().put("name", INPUT).put("datatype", "FP32");
        in.putArray("shape").add(-1).add(-1).add(model.inputSize());
        ArrayNode out = o.putArray("outputs");
        if (model.hasHead())
            out.addObject()
                    .put("name", LOGITS)
                    .put("datatype", "FP32")
                    .putArray("shape")
                    .add(-1)
                    .add(model.classes());
        out.addObject()
                .put("name", HIDDEN)
                .put("datatype", "FP32")
                .putArray("shape")
                .add(-1)
                .add(model.outputSize());
        ObjectNode p = o.putObject("parameters");
        p.put("description", model.describe()).put("streamable", model.streamable());
        ArrayNode labels = p.putArray("labels");
        for (String l : model.labels()) labels.add(l);
        return o;
    }

    private void infer(ServerRequest req, ServerResponse res) {
        long t0 = System.nanoTime();
        int status = 200;
        InferResponse out;
        try {
            known(req);
            if (stopping) throw new OipException(503, "shutting down");
            out = inferBody(req);
        } catch (OipException e) {
            status = e.status();
            out = new InferResponse(error(e.getMessage()), -1);
        }
        res.status(Status.create(status));
        if (out.jsonLength() >= 0) {
            res.header(HEADER_LENGTH, Integer.toString(out.jsonLength()));
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        } else res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.body());
        metrics.request("infer", status, System.nanoTime() - t0);
    }

    private InferResponse inferBody(ServerRequest req) {
        long length = req.headers().contentLength().orElse(-1);
        if (length > config.maxBodyBytes())
            throw new OipException(
                    413,
                    "body of "
                            + length
                            + " bytes, the server takes at most "
                            + config.maxBodyBytes());
        byte[] body = read(req);
        int jsonLength = -1;
        var header = req.headers().value(HEADER_LENGTH);
        if (header.isPresent()) {
            try {
                jsonLength = Integer.parseInt(header.get().trim());
            } catch (NumberFormatException e) {
                throw new OipException(
                        400,
                        "Inference-Header-Content-Length "
                                + header.get()
                                + ": expected a byte count");
            }
        }
        InferRequest r = InferRequest.parse(body, jsonLength, json);
        if (r.inputs().size() != 1 || !r.inputs().get(0).name().equals(INPUT))
            throw new OipException(
                    400,
                    "inputs " + r.inputs() + ": expected one FP32 tensor named \"" + INPUT + "\"");
        boolean wantLogits = model.hasHead(), wantHidden = !model.hasHead();
        if (!r.outputs().isEmpty()) {
            wantLogits = wantHidden = false;
            for (String o : r.outputs()) {
                if (o.equals(LOGITS) && model.hasHead()) wantLogits = true;
                else if (o.equals(HIDDEN)) wantHidden = true;
                else
                    throw new OipException(
                            400,
                            "output "
                                    + o
                                    + ": expected "
                                    + (model.hasHead()
                                            ? "logits or hidden"
                                            : "hidden (the model has no head)"));
            }
        }
        Tensor in = r.inputs().get(0);
        long[] s = in.shape();
        int n = model.inputSize();
        if (s[s.length - 1] != n)
            throw new OipException(
                    400,
                    "input shape "
                            + java.util.Arrays.toString(s)
                            + ": the last dimension must be the model's "
                            + n
                            + " inputs per frame");
        float[][] result;
        int batch;
        if (r.sequenceId() != 0) {
            if (sequences == null)
                throw new OipException(
                        400,
                        "model " + name + " is bidirectional: it takes whole clips, not sequences");
            if (!(s.length == 2 && s[0] == 1) && s.length != 1)
                throw new OipException(
                        400,
                        "input shape "
                                + java.util.Arrays.toString(s)
                                + ": a sequence takes one frame [1, "
                                + n
                                + "] per request");
            result =
                    sequences.step(
                            r.sequenceId(),
                            r.sequenceStart(),
                            r.sequenceEnd(),
                            in.data(),
                            config.requestTime());
            batch = 1;
        } else {
            if (s.length != 2 && s.length != 3)
                throw new OipException(
                        400,
                        "input shape "
                                + java.util.Arrays.toString(s)
                                + ": expected a clip [T, "
                                + n
                                + "] or a batch [B, T, "
                                + n
                                + "]");
            batch = s.length == 3 ? (int) s[0] : 1;
            int frames = (int) s[s.length - 2];
            if ((long) batch * frames > config.maxFrames())
                throw new OipException(
                        413,
                        batch * (long) frames
                                + " frames in one request, the server takes at most "
                                + config.maxFrames());
            result =
                    clips.run(
                            in.data(), batch, frames, wantLogits, wantHidden, config.requestTime());
        }
        List<Tensor> outputs = new ArrayList<>();
        if (wantLogits)
            outputs.add(
                    new Tensor(
                            LOGITS,
                            new long[] {batch, model.classes()},
                            result[0],
                            r.binary(LOGITS)));
        if (wantHidden)
            outputs.add(
                    new Tensor(
                            HIDDEN,
                            new long[] {batch, model.outputSize()},
                            result[1],
                            r.binary(HIDDEN)));
        return InferResponse.encode(json, name, r.id(), r.sequenceId(), outputs);
    }

    /**
     * The body, read within the read timeout: a client that sends it slower is dropped (the
     * request's virtual thread is interrupted, which closes its socket), so it cannot hold a thread
     * and a connection for long.
     */
    private byte[] read(ServerRequest req) {
        Thread reader = Thread.currentThread();
        ScheduledFuture<?> watchdog =
                slowClients.schedule(
                        reader::interrupt, config.readTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try (InputStream in = req.content().inputStream()) {
            byte[] body =
                    in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
            if (!watchdog.cancel(false)) Thread.interrupted(); // it fired as the read ended
            if (body.length > config.maxBodyBytes())
                throw new OipException(
                        413, "body over the server's " + config.maxBodyBytes() + " bytes");
            return body;
        } catch (IOException e) {
            throw new OipException(400, "could not read the body: " + e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof OipException) throw e;
            if (reader.isInterrupted()) throw e; // dropped: its socket is closed
            // Helidon refuses a body over maxPayloadSize while it is read
            throw new OipException(
                    413,
                    "body over the server's "
                            + config.maxBodyBytes()
                            + " bytes: "
                            + e.getMessage());
        } finally {
            watchdog.cancel(false);
        }
    }

    /** Stops listening (requests in flight finish), then drains the sequences. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
        }
        server.stop();
        slowClients.shutdownNow();
        clips.close();
        if (batcher != null) batcher.close();
    }
}
