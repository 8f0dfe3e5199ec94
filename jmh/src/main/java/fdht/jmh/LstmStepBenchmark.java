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

/**
 * FDHT-LSTM on one thread: one time step for a batch ({@code fdhtStep}: check and pack the frame
 * and h, run the contraction plan, the gate arithmetic) and a 6-frame clip ({@code fdhtClip}).
 * Time per operation is for the whole batch (and clip); the report divides by frames.
 */
public class LstmStepBenchmark extends ModelBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private Lstm lstm;
    private MemorySegment frames, clip;
    private LstmState state;
    private LstmWorkspace work;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        lstm = BenchModel.named(model).fdht(rank, arena);
        BenchModel.warmUp(lstm, 3000);
        frames = BenchModel.frames(batch, arena);
        clip = BenchModel.frames(batch * BenchModel.CLIP_FRAMES, arena);
        state = lstm.newState(batch, arena);
        work = lstm.newWorkspace(batch, arena);
    }


    @Benchmark
    public float fdhtStep() {
        lstm.step(frames, 0, BenchModel.INPUT, state, work);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public float fdhtClip() {
        lstm.run(clip, BenchModel.CLIP_FRAMES, state, work, null);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
