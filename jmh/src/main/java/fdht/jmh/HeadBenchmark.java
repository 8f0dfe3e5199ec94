package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.model.Model;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The bundled MFM-40 model's head (40 classes over 128 hidden units) on a batch of hidden states,
 * as the sequence batcher runs it for every frame: {@code head}, the classes in the lanes ({@link
 * DenseHead#apply}, {@link Kernels#denseHead}); {@code rowWise}, the same product as the row-wise
 * dense kernel computes it, bias copied then {@link Kernels#gemm} accumulated, the head's kernel
 * before 2026-12-08 (its lane sums outweighed its 128 products a row).
 */
public class HeadBenchmark extends NativeBenchmark {
    @Param({"1", "16", "64"})
    public int batch;

    private final Kernels kernels = KernelProvider.kernels();
    private Model model;
    private DenseHead head;
    private MemorySegment h, logits, weights, bias;
    private int classes, hidden;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        model = MfmModel.load();
        head = model.stack().head().orElseThrow();
        classes = head.classes();
        hidden = head.hidden();
        weights = Weights.copyOf(arena, head.weightsToArray());
        bias = Weights.copyOf(arena, head.biasToArray());
        h = Weights.floats(arena, (long) batch * hidden);
        SplittableRandom r = new SplittableRandom(7);
        for (long e = 0; e < (long) batch * hidden; e++)
            Weights.set(h, e, (float) (r.nextDouble() * 2 - 1));
        logits = Weights.floats(arena, (long) batch * classes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close(); // the arena is closed by NativeBenchmark
    }

    @Benchmark
    public float head() {
        head.apply(h, batch, logits, kernels);
        return logits.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public float rowWise() {
        for (int b = 0; b < batch; b++)
            MemorySegment.copy(
                    bias,
                    0,
                    logits,
                    (long) b * classes * Float.BYTES,
                    (long) classes * Float.BYTES);
        kernels.gemm(weights, 0, classes, hidden, h, 0, logits, 0, batch, true);
        return logits.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }
}
