package fdht.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The floor of JMH's gc profiler: a benchmark that allocates nothing, burning about as long as an
 * LSTM step. Whatever {@code gc.alloc.rate.norm} it reports is the harness's own allocation spread
 * over the operations; a step benchmark reporting the same has nothing of its own.
 */
public class GcFloorBenchmark extends NativeBenchmark {
    @Param({"100000"})
    public int tokens;

    @Benchmark
    public void burn() {
        Blackhole.consumeCPU(tokens);
    }
}
