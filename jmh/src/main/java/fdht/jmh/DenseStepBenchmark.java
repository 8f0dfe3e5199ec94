package fdht.jmh;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * One dense LSTM time step (Vector API GEMV/GEMM over the 1024 x 57,856 weights, 237 MB, the rank-4
 * FDHT matrix reconstructed): the baseline the FDHT step is measured against. Bound by streaming
 * the weights from memory.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class DenseStepBenchmark {
    @Param({"1", "16"})
    public int batch;

    private Arena arena;
    private Lstm dense;
    private MemorySegment frames;
    private LstmState state;
    private LstmWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        MemorySegment w = DenseReconstruction.of(LstmUcf.weights(4, arena), LstmUcf.INPUT + LstmUcf.HIDDEN, arena);
        dense = Lstm.dense(w, LstmUcf.INPUT, LstmUcf.HIDDEN, LstmUcf.bias(), arena);
        frames = LstmUcf.frames(batch, arena);
        state = dense.newState(batch, arena);
        work = dense.newWorkspace(batch, arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float denseStep() {
        dense.step(frames, 0, LstmUcf.INPUT, state, work);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
