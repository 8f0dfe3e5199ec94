package fdht.kernels.model;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Models and clips for the model API's tests, and the reference every result is compared with: one
 * {@link LstmStack#run} over the whole batch, which the API must reproduce bit for bit (the
 * kernels' sums do not depend on the batch: {@code DenseKernelDeterminismTest}).
 */
final class Fixtures {
    static final int INPUT = 90, HIDDEN = 4, CLASSES = 3;

    private Fixtures() {}

    /** The bundled trained MFM-40 model (surefire runs in the module directory). */
    static Path bundled() {
        return Path.of("")
                .toAbsolutePath()
                .resolveSibling("cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors");
    }

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    private static Lstm layer(int input, int[] cols, int rank, long seed, Arena arena) {
        return Lstm.fdht(
                HtMatrix.random(HtFormat.uniform(new int[] {4, 2, 2}, cols, rank), seed, arena),
                input,
                random(4 * HIDDEN, seed + 100, 0.2),
                arena);
    }

    /** Two bidirectional FDHT layers over 90 inputs, H = 4, with a head of 3 classes or none. */
    static LstmStack bidirectional(Arena arena, boolean head) {
        Lstm[][] cells = new Lstm[2][2];
        for (int d = 0; d < 2; d++) {
            cells[0][d] = layer(INPUT, new int[] {4, 5, 5}, 3, 20 + d, arena);
            cells[1][d] = layer(2 * HIDDEN, new int[] {2, 2, 3}, 2, 40 + d, arena);
        }
        return LstmStack.of(cells, head ? head(2 * HIDDEN, arena) : null);
    }

    /** One FDHT layer over 90 inputs, H = 4, with a head of 3 classes or none. */
    static LstmStack single(Arena arena, boolean head) {
        Lstm[][] cells = {{layer(INPUT, new int[] {4, 5, 5}, 3, 11, arena)}};
        return LstmStack.of(cells, head ? head(HIDDEN, arena) : null);
    }

    private static DenseHead head(int width, Arena arena) {
        return new DenseHead(
                random(CLASSES * width, 60, 1), random(CLASSES, 61, 0.5), CLASSES, width, arena);
    }

    /** {@code batch} clips of {@code frames} frames, {@code [B][T][N]} flattened. */
    static float[] clips(int batch, int frames, long seed) {
        return random(batch * frames * INPUT, seed, 1);
    }

    /** As arrays {@code [B][T][N]}. */
    static float[][][] arrays(float[] flat, int batch, int frames) {
        float[][][] out = new float[batch][frames][INPUT];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < frames; t++)
                System.arraycopy(flat, (b * frames + t) * INPUT, out[b][t], 0, INPUT);
        return out;
    }

    /**
     * What one run of the stack over the whole batch gives: {output [B][T][D*H], logits [B][C]}.
     */
    static float[][] reference(LstmStack stack, float[] clips, int batch, int frames) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Weights.floats(arena, (long) batch * frames * stack.outputSize());
            MemorySegment y =
                    Weights.floats(arena, (long) batch * Math.max(1, stack.headClasses()));
            stack.run(
                    Weights.copyOf(arena, clips),
                    frames,
                    stack.newWorkspace(batch, frames, arena),
                    out,
                    stack.headClasses() > 0 ? y : null);
            return new float[][] {
                Weights.toArray(out, 0, batch * frames * stack.outputSize()),
                Weights.toArray(y, 0, batch * stack.headClasses())
            };
        }
    }
}
