package fdht.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fdht.kernels.model.Model;
import fdht.kernels.model.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server started for real on a free loopback port, driven by the JDK's HTTP client: whole
 * clips, batches, sequences frame by frame and binary tensors, each output equal bit for bit to the
 * model API's {@link Predictor} ({@code fdht infer}); every hostile request answered with its
 * status while another sequence keeps being served.
 */
class OipServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Model model;
    static OipServer server;
    static HttpClient http;
    static String base;
    static final int MAX_STREAMS = 6;

    static Path bundled() {
        return Path.of("")
                .toAbsolutePath()
                .resolveSibling("cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors");
    }

    @BeforeAll
    static void start() {
        model = Model.load(bundled());
        server =
                OipServer.start(
                        model,
                        null,
                        ServeConfig.DEFAULT
                                .withAddress("127.0.0.1", 0)
                                .withRequestLimits(
                                        4L << 20,
                                        64,
                                        Duration.ofSeconds(30),
                                        Duration.ofMillis(500))
                                .withSequenceLimits(MAX_STREAMS, 4, Duration.ofSeconds(30)));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        base = "http://127.0.0.1:" + server.port() + "/v2";
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble();
        return v;
    }

    /** The logits a predictor gives for {@code batch} clips of {@code frames} frames. */
    static float[] predicted(float[] clips, int batch, int frames) {
        try (Predictor p = model.newPredictor()) {
            float[] y = new float[batch * model.classes()];
            p.logits(MemorySegment.ofArray(clips), batch, frames, y);
            return y;
        }
    }

    record Answer(int status, JsonNode json, byte[] body, String headerLength) {}

    static Answer send(String path, byte[] body, String headerLength) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) b.GET();
        else b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) b.header("Inference-Header-Content-Length", headerLength);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        String h = r.headers().firstValue("Inference-Header-Content-Length").orElse(null);
        int jsonEnd = h == null ? r.body().length : Integer.parseInt(h);
        JsonNode j =
                r.body().length == 0
                        ? null
                        : JSON.readTree(new String(r.body(), 0, jsonEnd, StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), j, r.body(), h);
    }

    static Answer infer(ObjectNode request) throws Exception {
        return send(
                "/models/" + server.modelName() + "/infer", JSON.writeValueAsBytes(request), null);
    }

    static ObjectNode request(float[] data, long... shape) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode in =
                r.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        ArrayNode s = in.putArray("shape");
        for (long d : shape) s.add(d);
        ArrayNode d = in.putArray("data");
        for (float v : data) d.add(v);
        return r;
    }

    static float[] output(JsonNode answer, String name) {
        for (JsonNode o : answer.get("outputs"))
            if (o.get("name").asText().equals(name)) {
                float[] v = new float[o.get("data").size()];
                for (int i = 0; i < v.length; i++) v[i] = o.get("data").get(i).floatValue();
                return v;
            }
        throw new AssertionError("no output " + name + " in " + answer);
    }

    @Test
    void healthAndMetadata() throws Exception {
        assertEquals(200, send("/health/live", null, null).status());
        assertEquals(200, send("/health/ready", null, null).status());
        Answer meta = send("", null, null);
        assertEquals("fdht", meta.json().get("name").asText());
        assertTrue(meta.json().get("extensions").toString().contains("sequence"));
        Answer m = send("/models/" + server.modelName(), null, null);
        assertEquals(200, m.status());
        assertEquals(model.inputSize(), m.json().at("/inputs/0/shape/2").asInt());
        assertEquals(model.classes(), m.json().at("/outputs/0/shape/1").asInt());
        assertEquals(200, send("/models/" + server.modelName() + "/ready", null, null).status());
        Answer unknown = send("/models/nosuch", null, null);
        assertEquals(404, unknown.status());
        assertTrue(unknown.json().get("error").asText().contains("unknown model nosuch"));
        assertEquals(404, send("/models/nosuch/ready", null, null).status());
    }

    @Test
    void aClipAndABatchGiveWhatThePredictorGives() throws Exception {
        int n = model.inputSize(), t = 8;
        float[] clip = random(t * n, 1);
        Answer a = infer(request(clip, t, n));
        assertEquals(200, a.status(), String.valueOf(a.json()));
        assertArrayEquals(predicted(clip, 1, t), output(a.json(), "logits"));
        float[] batch = random(3 * t * n, 2);
        ObjectNode r = request(batch, 3, t, n);
        r.putArray("outputs").addObject().put("name", "logits");
        a = infer(r);
        assertEquals(200, a.status(), String.valueOf(a.json()));
        assertArrayEquals(predicted(batch, 3, t), output(a.json(), "logits"));
        assertEquals("[3," + model.classes() + "]", a.json().at("/outputs/0/shape").toString());
    }

    @Test
    void aSequenceFrameByFrameGivesThePredictorsOutputForEachPrefix() throws Exception {
        int n = model.inputSize(), t = 5;
        float[] clip = random(t * n, 3);
        for (int f = 0; f < t; f++) {
            ObjectNode r = request(Arrays.copyOfRange(clip, f * n, (f + 1) * n), 1, n);
            r.putObject("parameters")
                    .put("sequence_id", 42)
                    .put("sequence_start", f == 0)
                    .put("sequence_end", f == t - 1);
            Answer a = infer(r);
            assertEquals(200, a.status(), String.valueOf(a.json()));
            assertEquals(42, a.json().at("/parameters/sequence_id").asLong());
            assertArrayEquals(
                    predicted(Arrays.copyOf(clip, (f + 1) * n), 1, f + 1),
                    output(a.json(), "logits"),
                    "frame " + f);
        }
        ObjectNode after = request(Arrays.copyOf(clip, n), 1, n);
        after.putObject("parameters").put("sequence_id", 42);
        Answer a = infer(after);
        assertEquals(400, a.status(), "the sequence ended");
    }

    @Test
    void binaryTensorsInAndOut() throws Exception {
        int n = model.inputSize(), t = 8, b = 2;
        float[] clips = random(b * t * n, 4);
        ObjectNode r = JSON.createObjectNode();
        ObjectNode in =
                r.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        in.putArray("shape").add(b).add(t).add(n);
        in.putObject("parameters").put("binary_data_size", 4 * clips.length);
        r.putArray("outputs")
                .addObject()
                .put("name", "logits")
                .putObject("parameters")
                .put("binary_data", true);
        byte[] header = JSON.writeValueAsBytes(r);
        ByteBuffer body =
                ByteBuffer.allocate(header.length + 4 * clips.length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        body.asFloatBuffer().put(clips);
        Answer a =
                send(
                        "/models/" + server.modelName() + "/infer",
                        body.array(),
                        Integer.toString(header.length));
        assertEquals(200, a.status(), String.valueOf(a.json()));
        int at = Integer.parseInt(a.headerLength());
        assertEquals(
                4 * b * model.classes(),
                a.json().at("/outputs/0/parameters/binary_data_size").asInt());
        float[] got = new float[b * model.classes()];
        ByteBuffer.wrap(a.body(), at, a.body().length - at)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(got);
        assertArrayEquals(predicted(clips, b, t), got);
    }

    /** A live sequence that the hostile requests must not disturb. */
    static final class Neighbour {
        final int n = model.inputSize();
        final float[] clip = random(64 * n, 77);
        int frame;

        void step(long id) throws Exception {
            ObjectNode r = request(Arrays.copyOfRange(clip, frame * n, (frame + 1) * n), 1, n);
            r.putObject("parameters").put("sequence_id", id).put("sequence_start", frame == 0);
            Answer a = infer(r);
            assertEquals(200, a.status(), String.valueOf(a.json()));
            frame++;
            assertArrayEquals(
                    predicted(Arrays.copyOf(clip, frame * n), 1, frame),
                    output(a.json(), "logits"),
                    "neighbour frame " + frame);
        }
    }

    static void expect(int status, String fragment, Answer a) {
        assertEquals(status, a.status(), String.valueOf(a.json()));
        assertTrue(a.json().get("error").asText().contains(fragment), a.json().toString());
    }

    @Test
    void hostileRequestsGetTheirStatusWhileANeighbourIsServed() throws Exception {
        Neighbour ok = new Neighbour();
        long id = 9001;
        ok.step(id);
        String infer = "/models/" + server.modelName() + "/infer";
        int n = model.inputSize();
        expect(
                400,
                "malformed JSON",
                send(infer, "{\"inputs\": [".getBytes(StandardCharsets.UTF_8), null));
        ok.step(id);
        ObjectNode wrongType = request(new float[n], 1, n);
        ((ObjectNode) wrongType.get("inputs").get(0)).put("datatype", "INT64");
        expect(400, "expected FP32", infer(wrongType));
        expect(400, "needs " + 2 * n + " values", infer(request(new float[n], 2, n)));
        expect(400, "last dimension", infer(request(new float[6], 2, 3)));
        ok.step(id);
        // a 100 MB body announced: refused from its headers, before a byte of it is read
        try (Socket huge = new Socket("127.0.0.1", server.port())) {
            huge.setSoTimeout(20_000);
            huge.getOutputStream()
                    .write(
                            ("POST /v2"
                                            + infer
                                            + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                            + (100 << 20)
                                            + "\r\n\r\n{")
                                    .getBytes(StandardCharsets.US_ASCII));
            huge.getOutputStream().flush();
            String status =
                    new String(huge.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", status);
        }
        expect(413, "frames in one request", infer(request(new float[65 * n], 65, n)));
        ok.step(id);
        expect(
                404,
                "unknown model",
                send(
                        "/models/nosuch/infer",
                        JSON.writeValueAsBytes(request(new float[n], 1, n)),
                        null));
        ObjectNode never = request(new float[n], 1, n);
        never.putObject("parameters").put("sequence_id", 123456);
        expect(400, "never started", infer(never));
        ObjectNode nan = request(new float[n], 1, n);
        nan.putObject("parameters").put("sequence_id", 5555).put("sequence_start", true);
        ((ArrayNode) nan.at("/inputs/0/data")).set(3, JSON.getNodeFactory().textNode("NaN"));
        expect(400, "expected numbers", infer(nan));
        ok.step(id);
        // idle sequences up to the limit (the neighbour holds one), then 429
        for (int s = 1; s < MAX_STREAMS; s++) {
            ObjectNode start = request(random(n, s), 1, n);
            start.putObject("parameters").put("sequence_id", 100 + s).put("sequence_start", true);
            assertEquals(200, infer(start).status());
        }
        ObjectNode oneMore = request(new float[n], 1, n);
        oneMore.putObject("parameters").put("sequence_id", 200).put("sequence_start", true);
        expect(429, "maxStreams", infer(oneMore));
        ok.step(id);
        for (int s = 1; s < MAX_STREAMS; s++) { // end them: their slots free again
            ObjectNode end = request(random(n, s), 1, n);
            end.putObject("parameters").put("sequence_id", 100 + s).put("sequence_end", true);
            assertEquals(200, infer(end).status());
        }
        // a client sending its body a byte at a time is dropped after the read timeout
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(20_000);
            OutputStream o = slow.getOutputStream();
            o.write(
                    ("POST /v2" + infer + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
            o.flush();
            long t0 = System.nanoTime();
            ok.step(id); // served while the slow client waits
            InputStream in = slow.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                for (int c; (c = in.read()) >= 0; ) got.write(c);
            } catch (java.net.SocketException reset) {
                // dropped: as good as closed
            }
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited < 15_000, "dropped after " + waited + " ms");
            String answer = got.toString(StandardCharsets.US_ASCII);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
        }
        ok.step(id);
        HttpResponse<String> metrics =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:" + server.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        for (String name :
                new String[] {
                    "fdht_requests_total",
                    "fdht_infer_latency_seconds_bucket",
                    "fdht_open_sequences",
                    "fdht_batch_fill",
                    "status=\"429\""
                }) assertTrue(metrics.body().contains(name), name + " in\n" + metrics.body());
    }
}
