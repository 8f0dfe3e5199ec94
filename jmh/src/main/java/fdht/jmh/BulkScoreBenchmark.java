package fdht.jmh;

import fdht.kernels.model.BulkOptions;
import fdht.kernels.model.ClipSource;
import fdht.kernels.model.Model;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk scoring ({@link Model#score}) of {@value #CLIPS} 8-frame clips of the bundled MFM-40 model
 * ({@link MfmModel}) held in native memory, on {@code threads} threads (the caller's one of them),
 * chunks chosen by the model API, logits written into a native segment: what {@code fdht infer}
 * does beyond reading the file. One operation scores all clips; the report divides by them.
 *
 * <p>Ten seconds of warm-up, as {@link ThreadScalingBenchmark}: with both cores computing, C2 gets
 * little CPU.
 */
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 2)
public class BulkScoreBenchmark extends NativeBenchmark {
    /** Clips per operation: 64 MB of input, past the caches, as a real input is. */
    static final int CLIPS = 512;

    @Param({"1", "2"})
    public int threads;

    private Model model;
    private ClipSource source;
    private BulkOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        model = MfmModel.load();
        MemorySegment clips = MfmModel.frames((long) CLIPS * MfmModel.CLIP_FRAMES, arena);
        source = ClipSource.of(clips, CLIPS, MfmModel.CLIP_FRAMES);
        options =
                BulkOptions.DEFAULT
                        .withThreads(threads)
                        .withLogitsInto(Weights.floats(arena, (long) CLIPS * model.classes()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close(); // the arena is closed by NativeBenchmark
    }

    @Benchmark
    public long score() {
        return model.score(source, options).clips();
    }
}
