package fdht.jmh;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FDHT-LSTM on one thread: one time step for a batch ({@code fdhtStep}: check and pack the frame
 * and h, run the contraction plan, the gate arithmetic) and a 6-frame clip ({@code fdhtClip}). Time
 * per operation is for the whole batch (and clip); the report divides by frames.
 *
 * <p>Six seconds of warm-up, not three: on a Zen 3 machine of the CI kind (AVX2, a third of the Zen
 * 5's FMA peak) the batch-1 step was still settling after three (221 us/op and 1.9 KB/op in a quick
 * run; 156 us/op and 1.2 B/op after twelve), its kernels recompiled for the real stage shapes.
 */
@Warmup(iterations = 6, time = 1)
public class LstmStepBenchmark extends FdhtStepBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private MemorySegment clip;

    @Setup(Level.Trial)
    public void setUp() {
        setUpStep(batch);
        clip = BenchModel.frames(batch * BenchModel.CLIP_FRAMES, arena);
        work = lstm.newWorkspace(batch, arena);
    }

    @Benchmark
    public float fdhtClip() {
        lstm.run(clip, BenchModel.CLIP_FRAMES, state, work, null);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
