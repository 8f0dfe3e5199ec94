package fdht.cli;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht infer}: runs a model over a clip ({@code [T, N]} or {@code [B, T, N]} float32
 * .npy) and writes every step's hidden state and/or the head's logits for the last step. With
 * {@code --threads K} the batch rows are split over K threads, each with its own state and
 * workspace (the model is shared). Outputs are written atomically.
 */
@Command(name = "infer", mixinStandardHelpOptions = true, description = "Run a model over a clip (.npy, [T,N] or [B,T,N] float32).")
final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(names = "--input", required = true, description = "clip, float32 .npy of shape [T, N] or [B, T, N]")
    Path input;

    @Option(names = "--hidden-out", description = "write every step's hidden state, [T, H] or [B, T, H]")
    Path hiddenOut;

    @Option(names = "--logits-out", description = "write the head's logits for the last step, [C] or [B, C]")
    Path logitsOut;

    @Option(names = "--threads", defaultValue = "1", description = "threads to split the batch over (default ${DEFAULT-VALUE})")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1) throw new IllegalArgumentException("--threads " + threads + " must be at least 1");
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = LstmModelFile.read(model, arena);
            NpyFile.Array clip = NpyFile.read(input, arena);
            long[] s = clip.shape();
            if (s.length != 2 && s.length != 3) throw new ModelFileException(input, null, "clip shape " + Arrays.toString(s) + " is neither [T, N] nor [B, T, N]");
            boolean batched = s.length == 3;
            int batch = batched ? Math.toIntExact(s[0]) : 1;
            int frames = Math.toIntExact(s[batched ? 1 : 0]);
            long width = s[batched ? 2 : 1];
            if (width != lstm.inputSize()) throw new ModelFileException(input, null, "clip frames are " + width + " wide but the model takes N_x = " + lstm.inputSize());
            if (frames < 1 || batch < 1) throw new ModelFileException(input, null, "clip shape " + Arrays.toString(s) + " holds no frame");
            if (logitsOut != null && lstm.head().isEmpty()) throw new IllegalArgumentException("--logits-out: the model " + model + " has no head");
            // the kernels read native, aligned memory; a mapped clip is both
            for (long e = 0; e < clip.elements(); e++) {
                float v = clip.data().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, e);
                if (!Float.isFinite(v)) {
                    long frame = e / width;
                    throw new ModelFileException(input, null, "non-finite value " + v + " in frame " + (frame % frames) + (batched ? " of row " + frame / frames : "") + " at index " + e % width);
                }
            }
            int hidden = lstm.hiddenSize();
            MemorySegment hAll = Weights.floats(arena, (long) batch * frames * hidden);
            int classes = lstm.head().map(h -> h.classes()).orElse(0);
            MemorySegment logits = Weights.floats(arena, (long) batch * Math.max(classes, 1));
            int workers = Math.min(threads, batch);
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
                List<Future<?>> jobs = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    int from = (int) ((long) batch * w / workers), to = (int) ((long) batch * (w + 1) / workers);
                    jobs.add(pool.submit(() -> runRows(lstm, clip.data(), frames, from, to, hAll, logits, classes, arena)));
                }
                for (Future<?> f : jobs) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException r) throw r;
                        throw e;
                    }
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (hiddenOut != null) {
                NpyFile.write(hiddenOut, batched ? new long[]{batch, frames, hidden} : new long[]{frames, hidden}, hAll);
            }
            if (logitsOut != null) {
                NpyFile.write(logitsOut, batched ? new long[]{batch, classes} : new long[]{classes}, logits);
            }
            out.printf("%s: %d x %d frames of %,d through %s in %.1f ms (%.1f us per frame-step, %d thread%s)%n", input, batch, frames, width,
                    lstm.describe(), ms, ms * 1e3 / ((double) batch * frames), workers, workers == 1 ? "" : "s");
        }
        return 0;
    }

    /** Rows [from, to) of the batch, one at a time, with this thread's own state and workspace. */
    private static void runRows(Lstm lstm, MemorySegment clip, int frames, int from, int to, MemorySegment hAll, MemorySegment logits, int classes, Arena shared) {
        try (Arena local = Arena.ofConfined()) {
            int n = to - from;
            int hidden = lstm.hiddenSize();
            LstmState state = lstm.newState(n, local);
            LstmWorkspace ws = lstm.newWorkspace(n, local);
            MemorySegment rowsClip = clip.asSlice((long) from * frames * lstm.inputSize() * Float.BYTES);
            MemorySegment hOut = hAll.asSlice((long) from * frames * hidden * Float.BYTES);
            lstm.run(rowsClip, frames, state, ws, hOut);
            if (classes > 0) lstm.logits(state, logits.asSlice((long) from * classes * Float.BYTES));
        }
    }
}
