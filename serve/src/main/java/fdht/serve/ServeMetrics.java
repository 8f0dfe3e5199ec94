package fdht.serve;

import fdht.kernels.model.SequenceBatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The server's metrics in the Prometheus text format (Micrometer): requests by kind and status, the
 * inference latency histogram, open sequences, frames waiting and the batcher's mean group fill.
 * Thread-safe.
 */
final class ServeMetrics {
    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer latency;
    private final ConcurrentMap<String, Counter> requests = new ConcurrentHashMap<>();

    ServeMetrics(Supplier<SequenceBatcher.Stats> batcher) {
        latency =
                Timer.builder("fdht_infer_latency")
                        .description("time to answer an infer request")
                        .publishPercentileHistogram()
                        .register(registry);
        Gauge.builder("fdht_open_sequences", () -> batcher.get().openStreams())
                .description("sequences open in the batcher")
                .register(registry);
        Gauge.builder("fdht_queued_frames", () -> batcher.get().queuedFrames())
                .description("frames waiting in the batcher")
                .register(registry);
        Gauge.builder("fdht_batch_fill", () -> batcher.get().meanBatchFill())
                .description("mean frames per group stepped over the largest group")
                .register(registry);
        Gauge.builder("fdht_frames_stepped", () -> batcher.get().frames())
                .description("frames the batcher stepped")
                .register(registry);
        Gauge.builder("fdht_padding_rows_stepped", () -> batcher.get().paddingRows())
                .description("rows stepped with no frame, padding groups to a whole chunk of lanes")
                .register(registry);
    }

    void request(String kind, int status, long nanos) {
        requests.computeIfAbsent(
                        kind + " " + status,
                        k ->
                                Counter.builder("fdht_requests")
                                        .tag("kind", kind)
                                        .tag("status", Integer.toString(status))
                                        .description("requests answered")
                                        .register(registry))
                .increment();
        if (kind.equals("infer")) latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return registry.scrape();
    }
}
