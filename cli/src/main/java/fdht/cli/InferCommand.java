package fdht.cli;

import fdht.kernels.model.BulkOptions;
import fdht.kernels.model.BulkScores;
import fdht.kernels.model.ClipSource;
import fdht.kernels.model.Model;
import fdht.kernels.model.NonFiniteInputException;
import fdht.kernels.model.Outputs;
import fdht.kernels.model.ScoredLabel;
import fdht.layout.Weights;
import fdht.layout.io.AtomicOutputs;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht infer}: runs a model over clips ({@code [T, N]} or {@code [B, T, N]} float32 .npy)
 * and writes the last layer's output at every step ({@code [.., T, D*H]}, as PyTorch's {@code
 * nn.LSTM} output) and/or the head's logits for {@code output[:, -1]}. It runs on the model API's
 * bulk scoring ({@link Model#score}): the input is read a chunk of clips at a time, each chunk runs
 * through all its frames on one of {@code --threads} threads, and the outputs are written chunk by
 * chunk, so memory stays bounded whatever the input size. At least one output is required; the
 * outputs' directories are checked before any work and the outputs appear together or not at all
 * ({@link AtomicOutputs}). The time it prints is one cold run, JIT compilation included; {@code
 * fdht bench} measures steady speed.
 */
@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        description =
                "Run a model over clips (.npy, [T,N] or [B,T,N] float32), writing --hidden-out and/or --logits-out.")
final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(
            names = "--input",
            required = true,
            description = "clips, float32 .npy of shape [T, N] or [B, T, N]")
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
            defaultValue = "0",
            description = "threads that score chunks of clips (default: all processors)")
    int threads;

    @Option(
            names = "--chunk",
            defaultValue = "0",
            description =
                    "clips per chunk (default: automatic, the most whose working set fits in L2)")
    int chunk;

    /** Clips whose class is printed, with its label (the rest are in the logits file). */
    static final int SHOWN = 3;

    @Spec CommandSpec spec;

    /** "clip 0: Coat +x (0.33)": row {@code row} of {@code logits} is clip {@code clip}'s. */
    private static String shown(Model m, long clip, MemorySegment logits, int row) {
        float[] z = new float[m.classes()];
        MemorySegment.copy(
                logits,
                ValueLayout.JAVA_FLOAT,
                (long) row * z.length * Float.BYTES,
                z,
                0,
                z.length);
        ScoredLabel best = m.prediction(z).top(1).get(0);
        return String.format("clip %d: %s (%.2f)", clip, best.label(), best.probability());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 0)
            throw new IllegalArgumentException(
                    "--threads " + threads + " must be at least 1 (or 0: all processors)");
        if (chunk < 0)
            throw new IllegalArgumentException(
                    "--chunk " + chunk + " must be at least 1 (or 0: automatic)");
        if (hiddenOut == null && logitsOut == null)
            throw new IllegalArgumentException(
                    "nothing to write: give --hidden-out FILE.npy and/or --logits-out FILE.npy");
        try (AtomicOutputs outputs = new AtomicOutputs();
                Model m = Model.load(model)) {
            ClipSource clips = ClipSource.npy(input);
            boolean batched = NpyFile.shape(input).length == 3;
            if (clips.frameSize() != m.inputSize())
                throw new ModelFileException(
                        input,
                        null,
                        "clip frames are "
                                + clips.frameSize()
                                + " wide but the model takes N_x = "
                                + m.inputSize());
            if (logitsOut != null && !m.hasHead())
                throw new IllegalArgumentException(
                        "--logits-out: the model " + model + " has no head");
            Outputs what =
                    hiddenOut == null
                            ? Outputs.LOGITS
                            : logitsOut == null ? Outputs.HIDDEN : Outputs.BOTH;
            BulkOptions options =
                    BulkOptions.DEFAULT.withThreads(threads).withChunk(chunk).withOutputs(what);
            BulkScores scores;
            try {
                scores =
                        batched
                                ? m.score(
                                        clips,
                                        options.withHiddenFile(hiddenOut).withLogitsFile(logitsOut))
                                : one(m, clips, options, outputs);
                if (!batched) outputs.commit();
            } catch (NonFiniteInputException e) {
                throw new ModelFileException(
                        input,
                        null,
                        "non-finite value "
                                + e.value()
                                + " in frame "
                                + e.frame()
                                + (batched ? " of clip " + e.clip() : "")
                                + " at index "
                                + e.index(),
                        e);
            }
            double ms = scores.seconds() * 1e3;
            long steps = scores.clips() * scores.frames();
            out.printf(
                    "%s: %d x %d frames of %,d through %s in %.1f ms (%.1f us per frame-step, %d thread%s,"
                            + " chunks of %d clips; one cold run, JIT warm-up included: fdht bench gives steady figures)%n",
                    input,
                    scores.clips(),
                    scores.frames(),
                    clips.frameSize(),
                    m.stack().describe(),
                    ms,
                    ms * 1e3 / steps,
                    scores.threads(),
                    scores.threads() == 1 ? "" : "s",
                    scores.chunk());
            List<String> shown = new ArrayList<>(); // the first clips' classes, with their labels
            if (logitsOut != null) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment y = NpyFile.read(logitsOut, arena).data();
                    for (int b = 0; b < Math.min(SHOWN, scores.clips()); b++)
                        shown.add(shown(m, b, y, b));
                }
            }
            if (!shown.isEmpty())
                out.printf(
                        "%s%s%n",
                        String.join("; ", shown),
                        scores.clips() > shown.size()
                                ? String.format(
                                        " (the first %d of %,d)", shown.size(), scores.clips())
                                : "");
        }
        return 0;
    }

    /**
     * One clip ({@code [T, N]}): its outputs without a batch axis ({@code [T, D*H]}, {@code [C]}),
     * through memory and this command's staged outputs (a batch's go straight to their files,
     * staged by {@link Model#score} itself).
     */
    private BulkScores one(Model m, ClipSource clip, BulkOptions options, AtomicOutputs outputs) {
        outputs.file(hiddenOut); // fails here, before any work, for a missing directory
        outputs.file(logitsOut);
        try (Arena arena = Arena.ofConfined()) {
            int frames = clip.frames(), width = m.outputSize(), classes = m.classes();
            MemorySegment hidden =
                    hiddenOut == null
                            ? null
                            : Weights.floats(arena, (long) frames * width)
                                    .asSlice(0, (long) frames * width * Float.BYTES);
            MemorySegment logits =
                    logitsOut == null
                            ? null
                            : Weights.floats(arena, classes).asSlice(0, classes * 4L);
            BulkScores s = m.score(clip, options.withHiddenInto(hidden).withLogitsInto(logits));
            if (hidden != null)
                NpyFile.write(outputs.staging(hiddenOut), new long[] {frames, width}, hidden);
            if (logits != null)
                NpyFile.write(outputs.staging(logitsOut), new long[] {classes}, logits);
            return s;
        }
    }
}
