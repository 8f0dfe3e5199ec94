import fdht.kernels.model.FrameListener;
import fdht.kernels.model.Model;
import fdht.kernels.model.SequenceBatcher;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Load for the sequence batcher and fdht serve (issue 24), for figures taken on an idle machine:
 * N concurrent sequences of F frames each, every sequence pushing its next frame when its previous
 * output came (closed loop), or, in process, one producer pushing as fast as the streams' queues take
 * frames (round robin, a full stream passed over). Prints frames
 * per second and the p50/p99 latency from push (or request) to output. Not part of the tests.
 *
 *   in process:  ServeLoad inproc MODEL.safetensors STREAMS FRAMES [STEPPERS] [MAXDELAY_US]
 *   over HTTP:   ServeLoad http URL MODELNAME INPUTSIZE STREAMS FRAMES json|binary
 */
public class ServeLoad {
    public static void main(String[] a) throws Exception {
        if (a.length >= 4 && a[0].equals("inproc")) {
            int streams = Integer.parseInt(a[2]), frames = Integer.parseInt(a[3]), steppers = a.length > 4 ? Integer.parseInt(a[4]) : 1;
            long delay = a.length > 5 ? Long.parseLong(a[5]) : 200;
            // a warm-up round first, in the same JVM: the measured round then runs compiled code, not the JIT's start
            inProcess(Path.of(a[1]), streams, Math.max(20, frames / 4), steppers, delay, "warm-up: ");
            inProcess(Path.of(a[1]), streams, frames, steppers, delay, "");
        }
        else if (a.length == 7 && a[0].equals("http")) http(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]), a[6].equals("binary"));
        else {
            System.err.println("usage: ServeLoad inproc MODEL STREAMS FRAMES [STEPPERS] [MAXDELAY_US] | http URL MODELNAME INPUTSIZE STREAMS FRAMES json|binary");
            System.exit(2);
        }
    }

    static float[] frame(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextDouble();
        return f;
    }

    static void report(String what, long frames, long nanos, long[] latencies) {
        Arrays.sort(latencies);
        System.out.printf("%s: %,d frames in %.2f s = %,.0f frames/s; latency p50 %.3f ms, p99 %.3f ms%n", what, frames, nanos / 1e9, frames / (nanos / 1e9),
                latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6);
    }

    static void inProcess(Path file, int streams, int frames, int steppers, long delayUs, String label) throws Exception {
        try (Model m = Model.load(file);
                SequenceBatcher b = m.newBatcher(SequenceBatcher.Options.DEFAULT.withMaxStreams(streams).withSteppers(steppers)
                        .withMaxDelay(java.time.Duration.ofNanos(delayUs * 1000)).withIdleTimeout(java.time.Duration.ofMinutes(10)))) {
            int n = m.inputSize();
            long[] pushedAt = new long[streams * frames];
            long[] latency = new long[streams * frames];
            AtomicLong done = new AtomicLong();
            CountDownLatch ended = new CountDownLatch(streams);
            FrameListener l = new FrameListener() {
                @Override
                public void onOutput(long id, long i, MemorySegment logits, MemorySegment hidden, boolean last) {
                    int k = (int) (id * frames + i);
                    latency[k] = System.nanoTime() - pushedAt[k];
                    done.incrementAndGet();
                }

                @Override
                public void onEnd(long id, long f) {
                    ended.countDown();
                }

                @Override
                public void onError(long id, long i, RuntimeException e) {
                    e.printStackTrace();
                    ended.countDown();
                }
            };
            float[][] inputs = new float[16][];
            for (int i = 0; i < inputs.length; i++) inputs[i] = frame(n, i);
            SequenceBatcher.Stream[] s = new SequenceBatcher.Stream[streams];
            for (int i = 0; i < streams; i++) s[i] = b.open(i, l);
            long t0 = System.nanoTime();
            // round robin over the streams, a stream whose queue is full passed over until the next
            // round: the producer never waits on one stream while others have room
            int[] next = new int[streams];
            for (int left = streams; left > 0; ) {
                boolean pushed = false;
                for (int i = 0; i < streams; i++) {
                    int f = next[i];
                    if (f == frames) continue;
                    long at = System.nanoTime();
                    if (s[i].offer(inputs[(i + f) % inputs.length], f == frames - 1)) {
                        pushedAt[i * frames + f] = at;
                        pushed = true;
                        if (++next[i] == frames) left--;
                    }
                }
                if (!pushed) Thread.onSpinWait();
            }
            ended.await();
            report(label + "in process, " + streams + " streams x " + frames + " frames, " + steppers + " stepper(s), maxDelay " + delayUs + " us, mean group fill " + String.format("%.2f", b.stats().meanBatchFill()),
                    done.get(), System.nanoTime() - t0, latency);
        }
    }

    static void http(String url, String model, int n, int streams, int frames, boolean binary) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI infer = URI.create(url + "/v2/models/" + model + "/infer");
        long[] latency = new long[streams * frames];
        AtomicLongArray failures = new AtomicLongArray(1);
        Thread[] threads = new Thread[streams];
        long t0 = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            int id = s;
            threads[s] = Thread.ofVirtual().start(() -> {
                float[] f = frame(n, id);
                for (int t = 0; t < frames; t++) {
                    String params = "\"parameters\":{\"sequence_id\":" + (id + 1) + ",\"sequence_start\":" + (t == 0) + ",\"sequence_end\":" + (t == frames - 1) + "}";
                    HttpRequest.Builder r = HttpRequest.newBuilder(infer);
                    if (binary) {
                        byte[] header = ("{" + params + ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + n + "],\"parameters\":{\"binary_data_size\":" + 4 * n
                                + "}}],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
                        ByteBuffer body = ByteBuffer.allocate(header.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
                        body.put(header).asFloatBuffer().put(f);
                        r.header("Inference-Header-Content-Length", Integer.toString(header.length)).POST(HttpRequest.BodyPublishers.ofByteArray(body.array()));
                    } else {
                        StringBuilder b = new StringBuilder("{" + params + ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + n + "],\"data\":[");
                        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append(f[i]);
                        r.POST(HttpRequest.BodyPublishers.ofString(b.append("]}]}").toString()));
                    }
                    long start = System.nanoTime();
                    try {
                        HttpResponse<byte[]> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (answer.statusCode() != 200) {
                            failures.incrementAndGet(0);
                            System.err.println("sequence " + (id + 1) + ", frame " + t + ": " + answer.statusCode() + " " + new String(answer.body(), StandardCharsets.UTF_8));
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet(0);
                    }
                    latency[id * frames + t] = System.nanoTime() - start;
                }
            });
        }
        for (Thread t : threads) t.join();
        report("HTTP " + (binary ? "binary" : "JSON") + ", " + streams + " sequences x " + frames + " frames, " + failures.get(0) + " failed", (long) streams * frames, System.nanoTime() - t0, latency);
    }
}
