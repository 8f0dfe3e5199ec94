package fdht.cli;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.GateMatrix;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code fdht demo}: the bundled FDHT-LSTM with the LSTM-UCF shapes (57,600 inputs, 256 hidden,
 * ranks 4, trained on MFM-40-UCF by protocol C, {@link DefaultModel}) against the dense LSTM whose
 * weights are that HT matrix reconstructed, on one deterministic 6-frame clip: the plan, the sizes,
 * the per-frame latency of both (measured here, same run) and the largest difference of their
 * outputs.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the bundled LSTM-UCF FDHT-LSTM against the dense LSTM it encodes.")
final class DemoCommand implements Callable<Integer> {
    static final int FRAMES = 6;

    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(
            names = "--export-dense",
            description =
                    "also write the dense LSTM the bundled model encodes as a PyTorch nn.LSTM state dict (safetensors, 237 MB), for trying 'fdht convert'")
    java.nio.file.Path exportDense;

    @Override
    public Integer call() {
        if (exportDense != null) {
            try (Arena arena = Arena.ofConfined()) {
                Lstm model = DefaultModel.load(arena);
                int input = model.inputSize(), hidden = model.hiddenSize(), fourH = 4 * hidden;
                GateMatrix w =
                        new GateMatrix(
                                DenseReconstruction.of(
                                        model.htWeights().orElseThrow(), input + hidden, arena),
                                input,
                                hidden);
                MemorySegment wih = w.inputWeights(arena), whh = w.hiddenWeights(arena);
                new fdht.layout.io.SafetensorsWriter()
                        .add(
                                "weight_ih_l0",
                                new long[] {fourH, input},
                                wih.asSlice(0, (long) fourH * input * 4))
                        .add(
                                "weight_hh_l0",
                                new long[] {fourH, hidden},
                                whh.asSlice(0, (long) fourH * hidden * 4))
                        .add("bias_ih_l0", new long[] {fourH}, model.biasToArray())
                        .add("bias_hh_l0", new long[] {fourH}, new float[fourH])
                        .write(exportDense);
                spec.commandLine()
                        .getOut()
                        .println(
                                "wrote the dense LSTM (PyTorch nn.LSTM state dict) to "
                                        + exportDense);
            }
        }
        return run(spec.commandLine().getOut());
    }

    static int run(PrintWriter out) {
        try (Arena arena = Arena.ofConfined()) {
            Lstm fdht = DefaultModel.load(arena);
            HtMatrix ht = fdht.htWeights().orElseThrow();
            HtFormat format = ht.format();
            int[] colFactors = format.colFactors();
            int input = fdht.inputSize(), hidden = fdht.hiddenSize();
            float[] bias = fdht.biasToArray();
            int[] rowFactors = format.rowFactors();

            out.println(
                    "fdht demo: the bundled FDHT-LSTM ("
                            + DefaultModel.RESOURCE
                            + ", trained on MFM-40-UCF: "
                            + DefaultModel.TRAINED_ON
                            + ") on the LSTM-UCF shapes (57,600 inputs, hidden 256), kernels: "
                            + KernelProvider.kernels().name());
            out.printf(
                    "input %,d + hidden %d = %,d columns, padded to %s = %,d; outputs 4x%d = %s = %,d%n",
                    input,
                    hidden,
                    input + hidden,
                    join(colFactors),
                    format.cols(),
                    hidden,
                    join(rowFactors),
                    format.rows());
            out.println();
            out.print(ContractionPlanner.plan(ht.format(), 1).toTable());
            out.println();

            long t0 = System.nanoTime();
            MemorySegment dense = DenseReconstruction.of(ht, input + hidden, arena);
            double reconstructMs = (System.nanoTime() - t0) / 1e6;
            Lstm reference = Lstm.dense(dense, input, hidden, bias, arena);

            long fdhtParams = fdht.parameterCount(), denseParams = reference.parameterCount();
            out.printf(
                    "%-34s %,14d floats %,14d bytes%n",
                    "FDHT-LSTM parameters (with bias)", fdhtParams, fdhtParams * 4);
            out.printf(
                    "%-34s %,14d floats %,14d bytes%n",
                    "dense LSTM parameters (with bias)", denseParams, denseParams * 4);
            out.printf(
                    "compression %,.0fx; MACs per frame %,d (FDHT) vs %,d (dense); dense W rebuilt from HT in %.0f ms%n",
                    (double) denseParams / fdhtParams,
                    fdht.projection().macsPerStep(),
                    reference.projection().macsPerStep(),
                    reconstructMs);
            out.println();

            MemorySegment clip = Weights.floats(arena, (long) FRAMES * input);
            SplittableRandom frames = new SplittableRandom(7);
            for (long e = 0; e < (long) FRAMES * input; e++)
                Weights.set(clip, e, (float) (frames.nextDouble() * 2 - 1));

            // outputs first, on fresh states, compared at every step
            MemorySegment hF = Weights.floats(arena, (long) FRAMES * hidden),
                    hD = Weights.floats(arena, (long) FRAMES * hidden);
            LstmState sF = fdht.newState(1, arena), sD = reference.newState(1, arena);
            LstmWorkspace wF = fdht.newWorkspace(1, arena), wD = reference.newWorkspace(1, arena);
            fdht.run(clip, FRAMES, sF, wF, hF);
            reference.run(clip, FRAMES, sD, wD, hD);
            double maxH = maxAbsDiff(hF, hD, FRAMES * hidden);
            double maxC = maxAbsDiff(sF.c(), sD.c(), hidden);
            double scaleH = maxAbs(hD, FRAMES * hidden);

            double fdhtUs = perFrameMicros(fdht, clip, sF, wF, 300, 0.5);
            double denseUs = perFrameMicros(reference, clip, sD, wD, 3, 3.0);
            out.printf(
                    "per-frame latency, batch 1, one thread (median of timed clips after warm-up):%n");
            out.printf("  FDHT-LSTM   %,10.1f us%n", fdhtUs);
            out.printf(
                    "  dense LSTM  %,10.1f us   (%.0fx the FDHT time)%n",
                    denseUs, denseUs / fdhtUs);
            out.printf(
                    "largest |h_FDHT - h_dense| over %d frames: %.3g (largest |h| %.3g); last-step |c| difference: %.3g%n",
                    FRAMES, maxH, scaleH, maxC);
            out.println(
                    "(a quick wall-clock figure; the JMH benchmarks in jmh/ are the measured ones)");
            MfmDemo.print(out);
            return maxH < 1e-3 ? 0 : 1;
        }
    }

    /**
     * Median per-frame time of whole clips, after {@code warmup} clips, timing for about {@code
     * seconds}.
     */
    private static double perFrameMicros(
            Lstm lstm,
            MemorySegment clip,
            LstmState state,
            LstmWorkspace ws,
            int warmup,
            double seconds) {
        for (int i = 0; i < warmup; i++) {
            state.reset();
            lstm.run(clip, FRAMES, state, ws, null);
        }
        double[] samples = new double[4096];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while ((n < 5 || System.nanoTime() < end) && n < samples.length) {
            state.reset();
            long t = System.nanoTime();
            lstm.run(clip, FRAMES, state, ws, null);
            samples[n++] = (System.nanoTime() - t) / 1e3 / FRAMES;
        }
        double[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return s[n / 2];
    }

    private static double maxAbsDiff(MemorySegment a, MemorySegment b, int n) {
        double m = 0;
        for (int e = 0; e < n; e++)
            m = Math.max(m, Math.abs(Weights.get(a, e) - Weights.get(b, e)));
        return m;
    }

    private static double maxAbs(MemorySegment a, int n) {
        double m = 0;
        for (int e = 0; e < n; e++) m = Math.max(m, Math.abs(Weights.get(a, e)));
        return m;
    }

    private static String join(int[] f) {
        return String.join(
                "x", Arrays.stream(f).mapToObj(Integer::toString).toArray(String[]::new));
    }
}
