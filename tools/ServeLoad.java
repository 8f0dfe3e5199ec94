import fdht.kernels.model.FrameListener;
import fdht.kernels.model.Model;
import fdht.kernels.model.SequenceBatcher;
import java.lang.foreign.MemorySegment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import fdht.kernels.model.Predictor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Load for the sequence batcher and fdht serve (issue 24), for figures taken on an idle machine:
 * N concurrent sequences of F frames each, every sequence pushing its next frame when its previous
 * output came (closed loop), or, in process, one producer pushing as fast as the streams take frames
 * (round robin, at most DEPTH frames unanswered a stream, -Dserveload.depth, default 4; with nothing
 * to offer it sleeps until outputs come, instead of spinning on the batcher's lock), copying each
 * frame (offer) or lending it (-Dserveload.push=in-place: offerInPlace). Prints frames
 * per second and the p50/p99 latency from push (or request) to output. Not part of the tests.
 *
 *   in process:  ServeLoad inproc MODEL.safetensors STREAMS FRAMES [STEPPERS] [MAXDELAY_US] [MAXBATCH] [RATE]
 *                (MAXBATCH 1 steps every frame alone; RATE offers that many frames a second, 0 as fast as taken;
 *                the last outputs of up to 8 streams are then checked against the frames stepped alone)
 *   sweep:       ServeLoad sweep MODEL.safetensors OUT.csv STEPPERS MAXDELAY_US FRAMES_IN_ALL STREAMS...
 *                (saturation at each stream count, 3 runs each; OUT.csv and OUT.png, throughput and p99 against streams)
 *   chart:       ServeLoad chart OUT.csv STEPPERS MAXDELAY_US   (the sweep's chart again, from its CSV)
 *   over HTTP:   ServeLoad http URL MODELNAME INPUTSIZE STREAMS FRAMES json|binary[:socket] [SECONDS] [MODEL.safetensors]
 *                (rounds until SECONDS passed; with MODEL every sequence's last logits checked against it)
 */
public class ServeLoad {
    public static void main(String[] a) throws Exception {
        if (a.length >= 4 && a[0].equals("inproc")) {
            Run r = new Run(Integer.parseInt(a[2]), Integer.parseInt(a[3]), arg(a, 4, 1), arg(a, 5, 200), arg(a, 6, 0), arg(a, 7, 0));
            try (Model m = Model.load(Path.of(a[1]))) {
                if (m.inputSize() != INPUT_SIZE) throw new IllegalArgumentException("ServeLoad's frames have " + INPUT_SIZE + " values; the model takes " + m.inputSize());
                warmUp(m, r);
                Result x = inProcess(m, r, "");
                check(m, r, x);
            }
        } else if (a.length >= 6 && a[0].equals("sweep")) {
            sweep(Path.of(a[1]), Path.of(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]), Long.parseLong(a[5]),
                    Arrays.stream(a, 6, a.length).mapToInt(Integer::parseInt).toArray());
        } else if (a.length == 4 && a[0].equals("chart")) {
            System.out.println("wrote " + chart(Path.of(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3])));
        } else if (a.length >= 7 && a[0].equals("http")) {
            // rounds until SECONDS have passed (one round without it); with MODEL, every sequence's last
            // logits are checked against the same frames stepped alone through a Predictor of that file
            long until = System.nanoTime() + (long) (a.length > 7 ? Double.parseDouble(a[7]) * 1e9 : 0);
            try (Model m = a.length > 8 ? Model.load(Path.of(a[8])) : null) {
                List<Double> rounds = new ArrayList<>();
                do rounds.add(http(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]), a[6], m));
                while (System.nanoTime() < until);
                rounds.sort(null);
                if (rounds.size() > 1)
                    System.out.printf("%s: median of %d rounds %,.0f frames/s (%,.0f-%,.0f)%n", a[6], rounds.size(), rounds.get(rounds.size() / 2), rounds.get(0), rounds.get(rounds.size() - 1));
            }
        }
        else {
            System.err.println("usage: ServeLoad inproc MODEL STREAMS FRAMES [STEPPERS] [MAXDELAY_US] [MAXBATCH] [RATE] | sweep MODEL OUT.csv STEPPERS MAXDELAY_US FRAMES_IN_ALL STREAMS... | http URL MODELNAME INPUTSIZE STREAMS FRAMES json|binary[:socket] [SECONDS] [MODEL]");
            System.exit(2);
        }
    }

    static int arg(String[] a, int i, int otherwise) {
        return a.length > i ? Integer.parseInt(a[i]) : otherwise;
    }

    /**
     * One in-process load: STREAMS streams of FRAMES frames, STEPPERS steppers, the batcher's maxDelay,
     * maxBatch (0: the batcher's default, 4 x the kernels' lanes, 64 at 512 bits; 1: every frame stepped alone, at batch 1) and an offered rate in
     * frames per second (0: as fast as the queues take frames).
     */
    record Run(int streams, int frames, int steppers, long delayUs, int maxBatch, int rate) {
        Run withFrames(int f) {
            return new Run(streams, f, steppers, delayUs, maxBatch, rate);
        }

        String describe() {
            return streams + " streams x " + frames + " frames, " + steppers + " stepper(s), maxDelay " + delayUs + " us, maxBatch "
                    + (maxBatch == 0 ? "default (" + 4 * fdht.kernels.KernelProvider.kernels().lanes() + ")" : maxBatch) + ", " + (rate == 0 ? "offered as fast as taken, " + DEPTH + " unanswered a stream at most" : String.format("offered at %,d frames/s", rate))
                    + (IN_PLACE ? ", frames lent in place" : ", frames copied at the push") + (HIDDEN ? ", hidden states out (no head)" : ", logits out");
        }
    }

    /**
     * Rounds of a quarter of the load until 4 s (-Dserveload.warm) have passed, in the same JVM: the measured round then
     * runs compiled code, not the JIT's start (measured: on 2 cores the kernels' compiles and their
     * garbage go on for about 3 s of load; latencies settle after them).
     */
    static void warmUp(Model m, Run r) throws Exception {
        long until = System.nanoTime() + (long) (Double.parseDouble(System.getProperty("serveload.warm", "4")) * 1e9);
        while (System.nanoTime() < until) inProcess(m, r.withFrames(Math.max(20, r.frames / 4)), "warm-up: ");
    }

    /**
     * Collects the garbage of the rounds before (their latency arrays, 10-30 MB each) so that no
     * collection of it lands in the measured round: measured, G1 pauses of 5-18 ms every few seconds,
     * which were ServeLoad's and showed in the batcher's p99.
     */
    static void quiet() {
        System.gc();
    }

    /** Frames per second, latency percentiles in ms, the mean group fill, and every stream's last output (logits, or the hidden state with OUTPUTS=hidden). */
    record Result(double framesPerSecond, double p50, double p99, double fill, float[][] lastOutputs) {}
    static float[] frame(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextDouble();
        return f;
    }

    static double[] report(String what, long frames, long nanos, long[] latencies) {
        Arrays.sort(latencies);
        double fps = frames / (nanos / 1e9), p50 = latencies[latencies.length / 2] / 1e6, p99 = latencies[(int) (latencies.length * 0.99)] / 1e6;
        System.out.printf("%s: %,d frames in %.2f s = %,.0f frames/s; latency p50 %.3f ms, p99 %.3f ms%n", what, frames, nanos / 1e9, fps, p50, p99);
        return new double[] {fps, p50, p99};
    }

    /**
     * One round: the producer (this thread) offers the streams' frames round robin, a stream whose queue
     * is full passed over until the next round, so it never waits on one stream while others have room;
     * at a given rate, frame k of the round is due at k / rate and its latency counts from then (a late
     * push does not hide the wait).
     */
    static Result inProcess(Model m, Run r, String label) throws Exception {
        int streams = r.streams, frames = r.frames;
        try (SequenceBatcher b = m.newBatcher(SequenceBatcher.Options.DEFAULT.withMaxStreams(streams).withSteppers(r.steppers).withMaxBatch(r.maxBatch)
                .withMaxDelay(java.time.Duration.ofNanos(r.delayUs * 1000)).withIdleTimeout(java.time.Duration.ofMinutes(10))
                .withOutputs(HIDDEN ? fdht.kernels.model.Outputs.HIDDEN : fdht.kernels.model.Outputs.LOGITS))) {
            int n = m.inputSize(), classes = HIDDEN ? m.outputSize() : m.classes();
            long[] pushedAt = new long[streams * frames];
            long[] latency = new long[streams * frames];
            long[] late = new long[streams * frames]; // how late the producer offered each frame
            // the round's own arrays (humongous to G1) made before the collection that clears the
            // rounds before: made after it, they started a collection in the round's first second
            // (measured: the producer late by up to 4 ms there, and nowhere after)
            if (label.isEmpty()) quiet();
            float[][] last = new float[streams][classes];
            AtomicLong done = new AtomicLong(), failed = new AtomicLong(), wakeAt = new AtomicLong();
            // at saturation each stream keeps at most DEPTH frames unanswered, and a producer with nothing
            // to offer sleeps until a few outputs came instead of spinning: a spinning producer took one
            // of the two cores and the batcher's lock from the steppers (measured: see SERVING.md)
            AtomicIntegerArray answered = new AtomicIntegerArray(streams);
            AtomicBoolean producerParked = new AtomicBoolean();
            Thread producer = Thread.currentThread();
            int wakeEvery = Math.max(1, Math.min(16, streams * DEPTH / 4));
            CountDownLatch ended = new CountDownLatch(streams);
            FrameListener l = new FrameListener() {
                @Override
                public void onOutput(long id, long i, MemorySegment logits, MemorySegment hidden, boolean end) {
                    int k = (int) (id * frames + i);
                    latency[k] = System.nanoTime() - pushedAt[k];
                    if (i == frames - 1) MemorySegment.copy(HIDDEN ? hidden : logits, ValueLayout.JAVA_FLOAT, 0, last[(int) id], 0, classes);
                    answered.incrementAndGet((int) id);
                    long d = done.incrementAndGet();
                    if (d >= wakeAt.get() && producerParked.compareAndSet(true, false)) LockSupport.unpark(producer);
                }

                @Override
                public void onEnd(long id, long f) {
                    ended.countDown();
                }

                @Override
                public void onError(long id, long i, RuntimeException e) {
                    e.printStackTrace();
                    failed.incrementAndGet();
                    ended.countDown();
                }
            };
            SequenceBatcher.Stream[] s = new SequenceBatcher.Stream[streams];
            for (int i = 0; i < streams; i++) s[i] = b.open(i, l);
            long t0 = System.nanoTime();
            double nanosPerFrame = r.rate == 0 ? 0 : 1e9 / r.rate;
            long offered = 0;
            int[] next = new int[streams];
            for (int left = streams; left > 0; ) {
                boolean pushed = false;
                for (int i = 0; i < streams; i++) {
                    int f = next[i];
                    if (f == frames || (r.rate == 0 && f - answered.get(i) >= DEPTH)) continue;
                    long at = System.nanoTime();
                    if (r.rate > 0) {
                        // a producer paced by the clock sleeps (at least 100 us, Linux's timer slack is
                        // 50 us) and then offers every frame that came due, as a network reader would;
                        // spinning instead would take one of the steppers' cores
                        long due = t0 + (long) (offered * nanosPerFrame);
                        if (due > at) LockSupport.parkNanos(Math.max(due - at, 100_000));
                        at = due;
                    }
                    pushedAt[i * frames + f] = at; // before the offer: the output may come before it returns
                    late[i * frames + f] = System.nanoTime() - at;
                    int in = (i + f) % INPUTS.length;
                    if (IN_PLACE ? s[i].offerInPlace(NATIVE_INPUTS[in], f == frames - 1) : s[i].offer(INPUTS[in], f == frames - 1)) {
                        pushed = true;
                        offered++;
                        if (++next[i] == frames) left--;
                    }
                }
                if (!pushed) {
                    long seen = done.get();
                    wakeAt.set(seen + wakeEvery);
                    producerParked.set(true);
                    // an output that came after `seen` and before the flag was set finds it unset: the
                    // timeout bounds that wait (and the end of a run, when fewer than wakeEvery remain)
                    if (done.get() < seen + wakeEvery) LockSupport.parkNanos(200_000);
                    producerParked.set(false);
                }
            }
            ended.await();
            long nanos = System.nanoTime() - t0;
            if (failed.get() > 0 || done.get() != (long) streams * frames)
                throw new IllegalStateException(failed.get() + " streams failed, " + done.get() + " of " + (long) streams * frames + " outputs came");
            if (Boolean.getBoolean("serveload.windows") && label.isEmpty()) windows(pushedAt, latency, late, t0); // measured rounds only
            double fill = b.stats().meanBatchFill();
            double[] x = report(label + "in process, " + r.describe() + ", mean group fill " + String.format("%.2f", fill), done.get(), nanos, latency);
            return new Result(x[0], x[1], x[2], fill, last);
        }
    }

    /** The p50 and p99 latency of the frames pushed in each half second (-Dserveload.windows=true). */
    static void windows(long[] pushedAt, long[] latency, long[] late, long t0) {
        java.util.TreeMap<Long, List<long[]>> w = new java.util.TreeMap<>();
        for (int k = 0; k < pushedAt.length; k++) w.computeIfAbsent((pushedAt[k] - t0) / 500_000_000L, x -> new ArrayList<>()).add(new long[] {latency[k], late[k]});
        w.forEach((k, v) -> {
            long[] lat = v.stream().mapToLong(x -> x[0]).sorted().toArray(), off = v.stream().mapToLong(x -> x[1]).sorted().toArray();
            long[] own = v.stream().mapToLong(x -> x[0] - x[1]).sorted().toArray(); // from the offer itself: the batcher's part
            int n = lat.length;
            System.out.printf("  %.1f s: %d frames, p50 %.3f ms, p99 %.3f ms, max %.3f ms; offered late by p50 %.3f ms, p99 %.3f ms; from the offer p50 %.3f ms, p99 %.3f ms%n",
                    k * 0.5, n, lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6, lat[n - 1] / 1e6, off[n / 2] / 1e6, off[(int) (n * 0.99)] / 1e6,
                    own[n / 2] / 1e6, own[(int) (n * 0.99)] / 1e6);
        });
        // the whole round, and without its first half second (the load and the steppers settling)
        for (long from : new long[] {0, 500_000_000L}) {
            long[] own = java.util.stream.IntStream.range(0, pushedAt.length).filter(k -> pushedAt[k] - t0 >= from).mapToLong(k -> latency[k] - late[k]).sorted().toArray();
            int n = own.length;
            System.out.printf("  from the offer, %s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d frames)%n", from == 0 ? "the whole round" : "after its first half second",
                    own[n / 2] / 1e6, own[(int) (n * 0.99)] / 1e6, own[(int) (n * 0.999)] / 1e6, n);
        }
        if (Boolean.getBoolean("serveload.start")) { // 20 ms windows of the first half second: where a slow start is
            long[] worst = new long[25];
            for (int k = 0; k < pushedAt.length; k++) { long at = (pushedAt[k] - t0) / 20_000_000L; if (at < 25) worst[(int) at] = Math.max(worst[(int) at], latency[k] - late[k]); }
            StringBuilder b = new StringBuilder("  the first half second, slowest from the offer per 20 ms (ms):");
            for (long slowest : worst) b.append(String.format(" %.1f", slowest / 1e6));
            System.out.println(b);
        }
    }

    static final int INPUT_SIZE = 4096;
    /** Frames a stream has unanswered at most at saturation (-Dserveload.depth): a live stream's few. */
    static final int DEPTH = Integer.getInteger("serveload.depth", 4);
    static final float[][] INPUTS = new float[16][];
    /** The same frames in native memory, for -Dserveload.push=in-place (never changed: lendable). */
    static final MemorySegment[] NATIVE_INPUTS = new MemorySegment[INPUTS.length];
    static final boolean IN_PLACE = System.getProperty("serveload.push", "copy").equals("in-place");
    /** The hidden state as each frame's output, not the head's logits: the work of JMH's MfmBenchmark.step (which runs no head). */
    static final boolean HIDDEN = System.getProperty("serveload.outputs", "logits").equals("hidden");
    static {
        for (int i = 0; i < INPUTS.length; i++) {
            INPUTS[i] = frame(INPUT_SIZE, i);
            NATIVE_INPUTS[i] = Arena.global().allocate((long) INPUT_SIZE * Float.BYTES, 64);
            MemorySegment.copy(INPUTS[i], 0, NATIVE_INPUTS[i], ValueLayout.JAVA_FLOAT, 0, INPUT_SIZE);
        }
    }

    /**
     * Every stream's last output against the same frames stepped alone through a predictor (batch 1),
     * bit for bit, for up to 8 streams spread over the run: the batcher's promise, checked on the load.
     */
    static void check(Model m, Run r, Result x) {
        int checked = 0;
        String what = HIDDEN ? "hidden state" : "logits";
        try (Arena arena = Arena.ofConfined(); Predictor p = m.newPredictor(1, r.frames)) {
            MemorySegment clip = arena.allocate((long) r.frames * INPUT_SIZE * Float.BYTES, 64);
            float[] out = new float[HIDDEN ? m.outputSize() : m.classes()];
            MemorySegment hidden = arena.allocate((long) out.length * Float.BYTES, 64);
            for (int i = 0; i < r.streams; i += Math.max(1, r.streams / 8)) {
                for (int f = 0; f < r.frames; f++)
                    MemorySegment.copy(INPUTS[(i + f) % INPUTS.length], 0, clip, ValueLayout.JAVA_FLOAT, (long) f * INPUT_SIZE * Float.BYTES, INPUT_SIZE);
                if (HIDDEN) {
                    p.lastHidden(clip, 1, r.frames, hidden);
                    MemorySegment.copy(hidden, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
                } else p.logits(clip, 1, r.frames, out);
                if (!Arrays.equals(out, x.lastOutputs[i])) throw new IllegalStateException("stream " + i + ": its last " + what + " differ from the same frames stepped alone");
                checked++;
            }
        }
        System.out.println("outputs: the last " + what + " of " + checked + " streams equal, bit for bit, the same frames stepped alone through a Predictor");
    }

    /**
     * Throughput and latency against the number of streams: for each count, three runs in which the
     * streams share FRAMES_IN_ALL frames at saturation (offered as fast as taken); a CSV of the
     * medians and ranges, and a chart beside it (medians, the range as error bars).
     */
    static void sweep(Path model, Path csv, int steppers, int delayUs, long total, int[] counts) throws Exception {
        int runs = 3;
        List<String> lines = new ArrayList<>(List.of("streams,frames_per_stream,runs,fps_median,fps_min,fps_max,p50_ms_median,p99_ms_median,mean_group_fill"));
        try (Model m = Model.load(model)) {
            warmUp(m, new Run(64, 400, steppers, delayUs, 0, 0));
            for (int k = 0; k < counts.length; k++) {
                int frames = (int) Math.max(20, total / counts[k]);
                double[] f = new double[runs], p5 = new double[runs], p9 = new double[runs];
                double fill = 0;
                for (int i = 0; i < runs; i++) {
                    Result x = inProcess(m, new Run(counts[k], frames, steppers, delayUs, 0, 0), "");
                    f[i] = x.framesPerSecond;
                    p5[i] = x.p50;
                    p9[i] = x.p99;
                    fill = x.fill;
                }
                Arrays.sort(f);
                Arrays.sort(p5);
                Arrays.sort(p9);
                lines.add(counts[k] + "," + frames + "," + runs + "," + Math.round(f[runs / 2]) + "," + Math.round(f[0]) + "," + Math.round(f[runs - 1]) + "," + p5[runs / 2] + "," + p9[runs / 2] + "," + fill);
            }
        }
        Files.write(csv, lines);
        Path png = chart(csv, steppers, delayUs);
        System.out.println("wrote " + csv + " and " + png);
    }

    /** The sweep's chart from its CSV: median throughput, fastest and slowest run, median p99. */
    static Path chart(Path csv, int steppers, int delayUs) throws Exception {
        List<String> rows = Files.readAllLines(csv);
        int n = rows.size() - 1;
        double[] xs = new double[n], median = new double[n], lo = new double[n], hi = new double[n], p99 = new double[n];
        for (int k = 0; k < n; k++) {
            String[] c = rows.get(k + 1).split(",");
            xs[k] = Double.parseDouble(c[0]);
            median[k] = Double.parseDouble(c[3]);
            lo[k] = Double.parseDouble(c[4]);
            hi[k] = Double.parseDouble(c[5]);
            p99[k] = Double.parseDouble(c[7]);
        }
        XYChart chart = new XYChartBuilder().width(1100).height(500).title("Sequence batcher at saturation, bundled MFM-40 model, " + steppers + " stepper(s), maxDelay " + delayUs + " us, frames " + (IN_PLACE ? "lent" : "copied"))
                .xAxisTitle("open streams").yAxisTitle("frames per second").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0, 0.0);
        chart.getStyler().setYAxisMin(1, 0.0);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.addSeries("frames/s, median of 3 runs", xs, median);
        chart.addSeries("fastest run", xs, hi).setLineStyle(SeriesLines.DASH_DASH);
        chart.addSeries("slowest run", xs, lo).setLineStyle(SeriesLines.DOT_DOT);
        chart.addSeries("p99 latency, ms (median)", xs, p99).setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, "p99 latency, ms (push to output, queues full)");
        Path png = Path.of(csv.toString().replaceAll("\\.csv$", "") + ".png");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return png;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: status, the JSON header's length when the body is binary (-1 otherwise), the body. */
    record Answer(int status, int jsonLength, byte[] body) {}

    /** Posts infer bodies to one server, from one thread at a time per connection. */
    interface Client extends AutoCloseable {
        Answer post(byte[] body, int jsonLength) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    /** The JDK's HttpClient (shared by every sequence). */
    record JdkClient(HttpClient http, URI infer) implements Client {
        public Answer post(byte[] body, int jsonLength) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(infer).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (jsonLength >= 0) r.header("Inference-Header-Content-Length", Integer.toString(jsonLength));
            HttpResponse<byte[]> a = http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(a.statusCode(), a.headers().firstValue("Inference-Header-Content-Length").map(Integer::parseInt).orElse(-1), a.body());
        }
    }

    /**
     * A keep-alive HTTP/1.1 connection of one sequence, written and read directly on a socket: a load
     * generator as light as wrk's, so that on two cores shared with the server the figure is the
     * server's (the JDK's HttpClient took more CPU than the server it loaded: JFR, 55% of the machine
     * against 45%). Only what the server sends: a status line, headers, a Content-Length body.
     */
    static final class SocketClient implements Client {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] head;

        SocketClient(URI infer) throws Exception {
            socket = new Socket(infer.getHost(), infer.getPort());
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            head = ("POST " + infer.getPath() + " HTTP/1.1\r\nHost: " + infer.getHost() + ":" + infer.getPort() + "\r\nContent-Type: application/octet-stream\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        public Answer post(byte[] body, int jsonLength) throws Exception {
            out.write(head);
            String h = "Content-Length: " + body.length + "\r\n" + (jsonLength >= 0 ? "Inference-Header-Content-Length: " + jsonLength + "\r\n" : "") + "\r\n";
            out.write(h.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.split(" ")[1]), length = -1, json = -1;
            for (String l; !(l = line()).isEmpty(); ) {
                int c = l.indexOf(':');
                String name = l.substring(0, c).trim().toLowerCase(java.util.Locale.ROOT), value = l.substring(c + 1).trim();
                if (name.equals("content-length")) length = Integer.parseInt(value);
                else if (name.equals("inference-header-content-length")) json = Integer.parseInt(value);
                else if (name.equals("transfer-encoding")) throw new IllegalStateException("the server sent a " + value + " body; this client reads Content-Length bodies only");
            }
            if (length < 0) throw new IllegalStateException("no Content-Length in the answer");
            return new Answer(code, json, in.readNBytes(length));
        }

        private String line() throws Exception {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new java.io.EOFException("the server closed the connection");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    /** The logits of an infer response, JSON or binary. */
    static float[] logits(Answer answer) throws Exception {
        byte[] body = answer.body();
        int headerEnd = answer.jsonLength() >= 0 ? answer.jsonLength() : body.length;
        JsonNode out = JSON.readTree(body, 0, headerEnd).path("outputs").get(0);
        int count = 1;
        for (JsonNode d : out.path("shape")) count *= d.asInt();
        float[] v = new float[count];
        if (answer.jsonLength() >= 0) ByteBuffer.wrap(body, headerEnd, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        else for (int i = 0; i < count; i++) v[i] = (float) out.path("data").get(i).asDouble();
        return v;
    }

    /**
     * STREAMS sequences of FRAMES frames, each sending its next frame when the previous answer came;
     * MODE json|binary, with ":socket" the light client above instead of the JDK's. A sequence sends
     * one frame of its own throughout, so the tensor's text or bytes are made once per sequence.
     */
    static double http(String url, String model, int n, int streams, int frames, String mode, Model check) throws Exception {
        boolean binary = mode.startsWith("binary"), socket = mode.endsWith(":socket");
        HttpClient shared = socket ? null : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI infer = URI.create(url + "/v2/models/" + model + "/infer");
        long[] latency = new long[streams * frames];
        float[][] last = new float[streams][];
        AtomicLongArray failures = new AtomicLongArray(1);
        Thread[] threads = new Thread[streams];
        long t0 = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            int id = s;
            threads[s] = Thread.ofVirtual().start(() -> {
                float[] f = frame(n, id);
                byte[] tensor; // the part after the parameters: the input, as JSON text or as a binary header
                if (binary) {
                    tensor = (",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + n + "],\"parameters\":{\"binary_data_size\":" + 4 * n
                            + "}}],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
                } else {
                    StringBuilder b = new StringBuilder(",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + n + "],\"data\":[");
                    for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append(f[i]);
                    tensor = b.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
                }
                byte[] values = new byte[binary ? 4 * n : 0];
                ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(f, 0, binary ? n : 0);
                try (Client client = socket ? new SocketClient(infer) : new JdkClient(shared, infer)) {
                    for (int t = 0; t < frames; t++) {
                        byte[] params = ("{\"parameters\":{\"sequence_id\":" + (id + 1) + ",\"sequence_start\":" + (t == 0) + ",\"sequence_end\":" + (t == frames - 1) + "}").getBytes(StandardCharsets.UTF_8);
                        byte[] body = new byte[params.length + tensor.length + values.length];
                        System.arraycopy(params, 0, body, 0, params.length);
                        System.arraycopy(tensor, 0, body, params.length, tensor.length);
                        System.arraycopy(values, 0, body, params.length + tensor.length, values.length);
                        long start = System.nanoTime();
                        try {
                            Answer answer = client.post(body, binary ? params.length + tensor.length : -1);
                            if (answer.status() != 200) {
                                failures.incrementAndGet(0);
                                System.err.println("sequence " + (id + 1) + ", frame " + t + ": " + answer.status() + " " + new String(answer.body(), StandardCharsets.UTF_8));
                            } else if (t == frames - 1 && check != null) last[id] = logits(answer);
                        } catch (Exception e) {
                            failures.incrementAndGet(0);
                            System.err.println("sequence " + (id + 1) + ", frame " + t + ": " + e);
                        }
                        latency[id * frames + t] = System.nanoTime() - start;
                    }
                } catch (Exception e) {
                    failures.incrementAndGet(0);
                    System.err.println("sequence " + (id + 1) + ": " + e);
                }
            });
        }
        for (Thread t : threads) t.join();
        long nanos = System.nanoTime() - t0;
        String checked = "";
        if (check != null) {
            // every sequence sent its own frame F times: its last output is that clip's, stepped alone
            try (Predictor p = check.newPredictor(1, frames); Arena arena = Arena.ofConfined()) {
                MemorySegment clip = arena.allocate((long) frames * n * Float.BYTES, 64);
                float[] want = new float[check.classes()];
                for (int id = 0; id < streams; id++) {
                    float[] f = frame(n, id);
                    for (int t = 0; t < frames; t++) MemorySegment.copy(f, 0, clip, ValueLayout.JAVA_FLOAT, (long) t * n * Float.BYTES, n);
                    p.logits(clip, 1, frames, want);
                    if (last[id] == null || !Arrays.equals(want, last[id]))
                        throw new IllegalStateException("sequence " + (id + 1) + ": its last logits over HTTP differ from the same frames stepped alone");
                }
            }
            checked = ", every sequence's last logits equal to the same frames stepped alone";
        }
        return report("HTTP " + (binary ? "binary" : "JSON") + (socket ? " (socket client)" : " (JDK HttpClient)") + ", " + streams + " sequences x " + frames + " frames, " + failures.get(0) + " failed" + checked, (long) streams * frames, nanos, latency)[0];
    }
}
