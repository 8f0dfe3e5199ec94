package fdht.jmh;

import fdht.accel.AcceleratorConfig;
import fdht.accel.Comparison;
import fdht.accel.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Simulating LSTM-UCF on both accelerators and the row-major contrast (plans, banked layouts, cycle
 * walk); the budget is 2 s for a 6-frame clip.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SimulateBenchmark extends NativeBenchmark {
    @Benchmark
    public Comparison lstmUcfClip() {
        // frames of a clip are identical for the model: one frame is simulated and scaled
        return Comparison.run(
                Workload.lstmUcf(), AcceleratorConfig.fdht(), AcceleratorConfig.tie());
    }
}
