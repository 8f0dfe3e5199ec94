package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One FDHT-LSTM time step on the LSTM-UCF shapes (57,600 inputs, 256 hidden) for a batch:
 * copy the frame and h into the packed input, run the contraction plan, the gate arithmetic.
 * {@code fdhtStepScalar} is the same step on the scalar twin, measured in the same run. Time per
 * operation is per step for the whole batch; divide by the batch for per-frame time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class LstmStepBenchmark {
    @Param({"4", "8"})
    public int rank;

    @Param({"1", "16"})
    public int batch;

    private Arena arena;
    private Lstm lstm;
    private Lstm scalar;
    private MemorySegment frames;
    private LstmState state;
    private LstmWorkspace work;
    private LstmWorkspace scalarWork;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        lstm = LstmUcf.fdht(rank, arena);
        scalar = lstm.withKernels(KernelProvider.scalar());
        LstmUcf.warmUp(lstm, 3000);
        frames = LstmUcf.frames(batch, arena);
        state = lstm.newState(batch, arena);
        work = lstm.newWorkspace(batch, arena);
        scalarWork = scalar.newWorkspace(batch, arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float fdhtStep() {
        lstm.step(frames, 0, LstmUcf.INPUT, state, work);
        return state.h().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public float fdhtStepScalar() {
        scalar.step(frames, 0, LstmUcf.INPUT, state, scalarWork);
        return state.h().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0);
    }
}
