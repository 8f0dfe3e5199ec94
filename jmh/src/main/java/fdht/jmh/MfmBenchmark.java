package fdht.jmh;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.kernels.model.Model;
import fdht.kernels.model.Predictor;
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
 * The bundled MFM-40 model ({@link MfmModel}: FDHT rank 4, {@code N_x} 4,096, {@code H} 128) on one
 * thread: one frame-step of its layer for a batch ({@code step}: check and pack the frame and h,
 * the contraction plan, the gate arithmetic; the report sets it against its physical limit, the
 * plan's MACs at the FMA peak plus the frame at read bandwidth), and a whole 8-frame clip through
 * the model API ({@code clip}: {@link Predictor#logits}, every frame and the head, zero
 * allocation). Time per operation is for the whole batch (and clip); the report divides by frames.
 */
@Warmup(iterations = 6, time = 1)
public class MfmBenchmark extends NativeBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private Model model;
    private Lstm lstm;
    private MemorySegment frames, clips;
    private LstmState state;
    private LstmWorkspace work;
    private Predictor predictor;
    private float[] logits;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        model = MfmModel.load();
        lstm = model.stack().layer(0, 0);
        BenchModel.warmUp(lstm, 3000, MfmModel.frames(1, arena));
        frames = MfmModel.frames(batch, arena);
        clips = MfmModel.frames((long) batch * MfmModel.CLIP_FRAMES, arena);
        state = lstm.newState(batch, arena);
        work = lstm.newWorkspace(batch, arena);
        predictor =
                model.newPredictor(batch, MfmModel.CLIP_FRAMES); // on this (the benchmark's) thread
        logits = new float[batch * model.classes()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        predictor.close();
        model.close(); // the arena is closed by NativeBenchmark
    }

    @Benchmark
    public float step() {
        lstm.step(frames, 0, MfmModel.INPUT, state, work);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public float clip() {
        predictor.logits(clips, batch, MfmModel.CLIP_FRAMES, logits);
        return logits[0];
    }
}
