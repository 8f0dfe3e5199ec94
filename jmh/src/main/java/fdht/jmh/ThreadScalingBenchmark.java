package fdht.jmh;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.ParallelLstm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FDHT-LSTM step on {@code threads} cores ({@link ParallelLstm}: the batch split into one slice
 * per core, one fork and one join per step). {@code threads = 1} runs the same code with no
 * workers.
 *
 * <p>Ten seconds of warm-up, not three: with both cores computing, C2 gets little CPU, and a stage
 * kernel it has to recompile runs interpreted meanwhile (measured: 2-thread forks still at 1.5 ms
 * instead of 0.5 ms after 4 s; see docs/PERFORMANCE.md).
 */
@Warmup(iterations = 10, time = 1)
public class ThreadScalingBenchmark extends NativeBenchmark {
    @Param({"ucf"})
    public String model;

    @Param({"4"})
    public int rank;

    @Param({"16", "64"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private ParallelLstm parallel;
    private MemorySegment frames;
    private LstmState state;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        Lstm lstm = BenchModel.named(model).warmFdht(rank, arena);
        parallel = new ParallelLstm(lstm, batch, threads);
        frames = BenchModel.frames(batch, arena);
        state = lstm.newState(batch, arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close(); // the arena is closed by NativeBenchmark
    }

    @Benchmark
    public float fdhtStep() {
        parallel.step(frames, 0, BenchModel.INPUT, state);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
