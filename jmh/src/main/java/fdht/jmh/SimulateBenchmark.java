package fdht.jmh;

import fdht.accel.AcceleratorConfig;
import fdht.accel.Comparison;
import fdht.accel.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Simulating LSTM-UCF on both accelerators and the row-major contrast (plans, banked layouts, cycle walk); the budget is 2 s for a 6-frame clip. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class SimulateBenchmark {
    @Benchmark
    public Comparison lstmUcfClip() {
        // frames of a clip are identical for the model: one frame is simulated and scaled
        return Comparison.run(Workload.lstmUcf(), AcceleratorConfig.fdht(), AcceleratorConfig.tie());
    }
}
