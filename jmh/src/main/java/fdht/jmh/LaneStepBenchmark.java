package fdht.jmh;

import fdht.kernels.KernelOptions;
import fdht.kernels.KernelProvider;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FDHT-LSTM step of {@link LstmStepBenchmark} with the batch run one row at a time ({@code
 * layout=rows}) or in lane-layout chunks ({@code layout=lanes}, the default path), so one JMH
 * invocation compares the two (the workspace is made with {@link KernelOptions#laneBatches} set).
 */
@Warmup(iterations = 6, time = 1)
public class LaneStepBenchmark extends FdhtStepBenchmark {
    @Param({"16", "64"})
    public int batch;

    @Param({"rows", "lanes"})
    public String layout;

    @Setup(Level.Trial)
    public void setUp() {
        setUpStep(batch);
        KernelOptions options = KernelProvider.options().withLaneBatches(layout.equals("lanes"));
        work = lstm.newWorkspace(batch, options, arena);
    }
}
