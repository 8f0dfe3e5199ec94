package fdht.jmh;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FDHT-LSTM step of {@link LstmStepBenchmark} with the batch run one row at a time
 * ({@code layout=rows}) or in lane-layout chunks ({@code layout=lanes}, the default path), so
 * one JMH invocation compares the two (the workspace reads {@code fdht.laneBatches} when made).
 */
@Warmup(iterations = 6, time = 1)
public class LaneStepBenchmark extends ModelBenchmark {
    @Param({"16", "64"})
    public int batch;

    @Param({"rows", "lanes"})
    public String layout;

    private Lstm lstm;
    private MemorySegment frames;
    private LstmState state;
    private LstmWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        lstm = BenchModel.named(model).fdht(rank, arena);
        BenchModel.warmUp(lstm, 3000);
        frames = BenchModel.frames(batch, arena);
        state = lstm.newState(batch, arena);
        System.setProperty("fdht.laneBatches", String.valueOf(layout.equals("lanes")));
        work = lstm.newWorkspace(batch, arena);
    }

    @Benchmark
    public float fdhtStep() {
        lstm.step(frames, 0, BenchModel.INPUT, state, work);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
