package fdht.cli;

import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.ParallelLstm;
import fdht.layout.Weights;
import fdht.layout.io.AtomicOutputs;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht infer}: runs a model over a clip ({@code [T, N]} or {@code [B, T, N]} float32 .npy)
 * and writes the last layer's output at every step ({@code [.., T, D*H]}, as PyTorch's {@code
 * nn.LSTM} output) and/or the head's logits for {@code output[:, -1]}. With {@code --threads K} the
 * batch rows are split over K threads by {@link ParallelLstm} (the model is shared). At least one
 * output is required; the outputs' directories are checked before any work and the outputs appear
 * together or not at all ({@link AtomicOutputs}). The time it prints is one cold run, JIT
 * compilation included; {@code fdht bench} measures steady speed.
 */
@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        description =
                "Run a model over a clip (.npy, [T,N] or [B,T,N] float32), writing --hidden-out and/or --logits-out.")
final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(
            names = "--input",
            required = true,
            description = "clip, float32 .npy of shape [T, N] or [B, T, N]")
    Path input;

    @Option(
            names = "--hidden-out",
            description =
                    "write the last layer's output at every step, [T, D*H] or [B, T, D*H] (D = 2 for a bidirectional model)")
    Path hiddenOut;

    @Option(
            names = "--logits-out",
            description = "write the head's logits for the last step, [C] or [B, C]")
    Path logitsOut;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "threads to split the batch over (default ${DEFAULT-VALUE})")
    int threads;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1)
            throw new IllegalArgumentException("--threads " + threads + " must be at least 1");
        if (hiddenOut == null && logitsOut == null)
            throw new IllegalArgumentException(
                    "nothing to write: give --hidden-out FILE.npy and/or --logits-out FILE.npy");
        try (AtomicOutputs outputs = new AtomicOutputs();
                Arena arena = Arena.ofShared()) {
            outputs.file(hiddenOut);
            outputs.file(logitsOut);
            LstmStack lstm = LstmModelFile.readStack(model, arena);
            NpyFile.Array clip = NpyFile.read(input, arena);
            long[] s = clip.shape();
            if (s.length != 2 && s.length != 3)
                throw new ModelFileException(
                        input,
                        null,
                        "clip shape " + Arrays.toString(s) + " is neither [T, N] nor [B, T, N]");
            boolean batched = s.length == 3;
            int batch = batched ? Math.toIntExact(s[0]) : 1;
            int frames = Math.toIntExact(s[batched ? 1 : 0]);
            long width = s[batched ? 2 : 1];
            if (width != lstm.inputSize())
                throw new ModelFileException(
                        input,
                        null,
                        "clip frames are "
                                + width
                                + " wide but the model takes N_x = "
                                + lstm.inputSize());
            if (frames < 1 || batch < 1)
                throw new ModelFileException(
                        input, null, "clip shape " + Arrays.toString(s) + " holds no frame");
            if (logitsOut != null && lstm.head().isEmpty())
                throw new IllegalArgumentException(
                        "--logits-out: the model " + model + " has no head");
            // the kernels read native, aligned memory; a mapped clip is both
            for (long e = 0; e < clip.elements(); e++) {
                float v = clip.data().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, e);
                if (!Float.isFinite(v)) {
                    long frame = e / width;
                    throw new ModelFileException(
                            input,
                            null,
                            "non-finite value "
                                    + v
                                    + " in frame "
                                    + (frame % frames)
                                    + (batched ? " of row " + frame / frames : "")
                                    + " at index "
                                    + e % width);
                }
            }
            int hidden = lstm.outputSize();
            MemorySegment hAll = Weights.floats(arena, (long) batch * frames * hidden);
            int classes = lstm.headClasses();
            MemorySegment logits = Weights.floats(arena, (long) batch * Math.max(classes, 1));
            int workers = Math.min(threads, batch);
            long t0 = System.nanoTime();
            try (ParallelLstm runner = new ParallelLstm(lstm, batch, frames, workers, arena)) {
                runner.run(clip.data(), frames, hAll, classes > 0 ? logits : null);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (hiddenOut != null) {
                NpyFile.write(
                        outputs.staging(hiddenOut),
                        batched ? new long[] {batch, frames, hidden} : new long[] {frames, hidden},
                        hAll);
            }
            if (logitsOut != null) {
                NpyFile.write(
                        outputs.staging(logitsOut),
                        batched ? new long[] {batch, classes} : new long[] {classes},
                        logits);
            }
            outputs.commit();
            out.printf(
                    "%s: %d x %d frames of %,d through %s in %.1f ms (%.1f us per frame-step, %d thread%s;"
                            + " one cold run, JIT warm-up included: fdht bench gives steady figures)%n",
                    input,
                    batch,
                    frames,
                    width,
                    lstm.describe(),
                    ms,
                    ms * 1e3 / ((double) batch * frames),
                    workers,
                    workers == 1 ? "" : "s");
        }
        return 0;
    }
}
