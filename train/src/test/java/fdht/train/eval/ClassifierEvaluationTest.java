package fdht.train.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import fdht.train.data.NpyClips;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierEvaluationTest {
    @TempDir Path dir;

    private static final int N_X = 10, H = 2, CLASSES = 5, FRAMES = 3, CLIPS = 23;

    private static Lstm model(Arena arena) {
        float[] w = new float[CLASSES * H], b = new float[CLASSES];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(3.7 * i) * 4;
        for (int i = 0; i < b.length; i++) b[i] = 0.1f * i;
        return Lstm.fdht(
                        HtMatrix.random(
                                HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2), 3, arena),
                        N_X,
                        new float[4 * H],
                        arena)
                .withHead(new DenseHead(w, b, CLASSES, H, arena));
    }

    private static float[] clips() {
        float[] v = new float[CLIPS * FRAMES * N_X];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.37 * i * i + i);
        return v;
    }

    /** The twin: each clip alone through Lstm.run at batch 1, then the head's logits. */
    private static float[][] referenceLogits(Lstm lstm, float[] clips, Arena arena) {
        float[][] out = new float[CLIPS][CLASSES];
        LstmState s = lstm.newState(1, arena);
        LstmWorkspace ws = lstm.newWorkspace(1, arena);
        MemorySegment clip = arena.allocate((long) FRAMES * N_X * Float.BYTES, 64);
        MemorySegment logits = arena.allocate(CLASSES * Float.BYTES, 64);
        for (int c = 0; c < CLIPS; c++) {
            MemorySegment.copy(
                    clips, c * FRAMES * N_X, clip, ValueLayout.JAVA_FLOAT, 0, FRAMES * N_X);
            s.reset();
            lstm.run(clip, FRAMES, s, ws, null);
            lstm.logits(s, logits);
            MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, 0, out[c], 0, CLASSES);
        }
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
        return best;
    }

    private Path labels(long[] labels) {
        Path p = dir.resolve("labels.npy");
        NpyFile.writeInt64(p, new long[] {labels.length}, MemorySegment.ofArray(labels));
        return p;
    }

    @Test
    void scoresEveryClipAsTheOneAtATimeTwinWhateverBatchAndThreads() {
        float[] v = clips();
        Path clipsFile = dir.resolve("clips.npy");
        NpyFile.write(clipsFile, new long[] {CLIPS, FRAMES, N_X}, MemorySegment.ofArray(v));
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = model(arena);
            float[][] ref = referenceLogits(lstm, v, arena);
            // labels: the model's own answer, except on clips 2, 9 and 17 -> exactly 20 of 23 right
            long[] labels = new long[CLIPS];
            double loss = 0;
            for (int c = 0; c < CLIPS; c++) {
                int best = argmax(ref[c]);
                labels[c] = c == 2 || c == 9 || c == 17 ? (best + 1) % CLASSES : best;
                double sum = 0;
                for (float z : ref[c]) sum += Math.exp(z);
                loss += Math.log(sum) - ref[c][(int) labels[c]];
            }
            NpyClips data = NpyClips.open(clipsFile, labels(labels), arena);
            for (int[] bt : new int[][] {{1, 1}, {4, 1}, {5, 2}, {23, 3}, {100, 2}}) {
                ClassifierEvaluation.Result r =
                        ClassifierEvaluation.evaluate(lstm, data, bt[0], bt[1]);
                assertEquals(
                        new Accuracy(20, CLIPS),
                        r.accuracy(),
                        "batch " + bt[0] + ", threads " + bt[1]);
                assertEquals(
                        loss / CLIPS,
                        r.crossEntropy(),
                        1e-5 * (1 + loss / CLIPS),
                        "batch " + bt[0] + ", threads " + bt[1]);
                long[] right = new long[CLASSES], seen = new long[CLASSES];
                for (int c = 0; c < CLIPS; c++) {
                    seen[(int) labels[c]]++;
                    if (c != 2 && c != 9 && c != 17) right[(int) labels[c]]++;
                }
                assertArrayEquals(seen, r.countByClass(), "clips per class");
                assertArrayEquals(right, r.correctByClass(), "right per class");
                int[] weakest = r.weakest(CLASSES);
                for (int i = 1; i < weakest.length; i++) {
                    double a = (double) right[weakest[i - 1]] / seen[weakest[i - 1]],
                            b = (double) right[weakest[i]] / seen[weakest[i]];
                    assertTrue(a <= b, "weakest first: " + java.util.Arrays.toString(weakest));
                }
            }
        }
    }

    @Test
    void scoresAStackOfTwoBidirectionalLayersAsItsOneClipAtATimeTwin() {
        float[] v = clips();
        Path clipsFile = dir.resolve("clips.npy");
        NpyFile.write(clipsFile, new long[] {CLIPS, FRAMES, N_X}, MemorySegment.ofArray(v));
        try (Arena arena = Arena.ofShared()) {
            Lstm[][] layers = new Lstm[2][2];
            for (int l = 0; l < 2; l++) {
                int in = l == 0 ? N_X : 2 * H;
                for (int d = 0; d < 2; d++) {
                    float[] w = new float[4 * H * (in + H)];
                    for (int i = 0; i < w.length; i++)
                        w[i] = (float) Math.sin(1.3 * i + 7 * l + 3 * d);
                    layers[l][d] =
                            Lstm.dense(Weights.copyOf(arena, w), in, H, new float[4 * H], arena);
                }
            }
            float[] hw = new float[CLASSES * 2 * H];
            for (int i = 0; i < hw.length; i++) hw[i] = (float) Math.cos(2.9 * i) * 4;
            LstmStack stack =
                    LstmStack.of(
                            layers, new DenseHead(hw, new float[CLASSES], CLASSES, 2 * H, arena));
            // the twin: each clip alone through LstmStack.run at batch 1; labels its answer except
            // on clips 4 and 11
            LstmStack.Workspace ws = stack.newWorkspace(1, FRAMES, arena);
            MemorySegment clip = arena.allocate((long) FRAMES * N_X * Float.BYTES, 64),
                    logits = arena.allocate(CLASSES * Float.BYTES, 64);
            long[] labels = new long[CLIPS];
            double loss = 0;
            for (int c = 0; c < CLIPS; c++) {
                MemorySegment.copy(
                        v, c * FRAMES * N_X, clip, ValueLayout.JAVA_FLOAT, 0, FRAMES * N_X);
                stack.run(clip, FRAMES, ws, null, logits);
                float[] z = logits.toArray(ValueLayout.JAVA_FLOAT);
                int best = argmax(z);
                labels[c] = c == 4 || c == 11 ? (best + 2) % CLASSES : best;
                double sum = 0;
                for (float x : z) sum += Math.exp(x);
                loss += Math.log(sum) - z[(int) labels[c]];
            }
            NpyClips data = NpyClips.open(clipsFile, labels(labels), arena);
            for (int[] bt : new int[][] {{1, 1}, {5, 2}, {23, 3}}) {
                ClassifierEvaluation.Result r =
                        ClassifierEvaluation.evaluate(stack, data, bt[0], bt[1]);
                assertEquals(
                        new Accuracy(CLIPS - 2, CLIPS),
                        r.accuracy(),
                        "batch " + bt[0] + ", threads " + bt[1]);
                assertEquals(
                        loss / CLIPS,
                        r.crossEntropy(),
                        1e-5 * (1 + loss / CLIPS),
                        "batch " + bt[0] + ", threads " + bt[1]);
            }
        }
    }

    @Test
    void refusesModelsAndClipsThatDoNotFit() {
        Path clipsFile = dir.resolve("clips.npy");
        NpyFile.write(
                clipsFile,
                new long[] {4, FRAMES, N_X},
                MemorySegment.ofArray(new float[4 * FRAMES * N_X]));
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = model(arena);
            NpyClips tooMany = NpyClips.open(clipsFile, labels(new long[] {0, 1, 5, 2}), arena);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ClassifierEvaluation.evaluate(lstm, tooMany, 4, 1));
            assertTrue(
                    e.getMessage().contains("labels go up to 5 but the model's head has 5 classes"),
                    e.getMessage());

            NpyClips ok = NpyClips.open(clipsFile, labels(new long[] {0, 1, 4, 2}), arena);
            Lstm headless =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                    3,
                                    arena),
                            N_X,
                            new float[4 * H],
                            arena);
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ClassifierEvaluation.evaluate(headless, ok, 4, 1));
            assertTrue(e.getMessage().contains("no head"), e.getMessage());

            Lstm wide =
                    Lstm.fdht(
                                    HtMatrix.random(
                                            HtFormat.uniform(new int[] {4, 2}, new int[] {4, 4}, 2),
                                            3,
                                            arena),
                                    14,
                                    new float[4 * H],
                                    arena)
                            .withHead(
                                    new DenseHead(
                                            new float[CLASSES * H],
                                            new float[CLASSES],
                                            CLASSES,
                                            H,
                                            arena));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ClassifierEvaluation.evaluate(wide, ok, 4, 1));
            assertTrue(
                    e.getMessage().contains("10 wide") && e.getMessage().contains("N_x = 14"),
                    e.getMessage());

            ModelFileException m =
                    assertThrows(
                            ModelFileException.class,
                            () -> NpyClips.open(clipsFile, labels(new long[] {0, 1, 2}), arena));
            assertTrue(m.getMessage().contains("3 labels for 4 clips"), m.getMessage());
            m =
                    assertThrows(
                            ModelFileException.class,
                            () ->
                                    NpyClips.open(
                                            clipsFile, labels(new long[] {0, -1, 2, 3}), arena));
            assertTrue(m.getMessage().contains("label -1 of clip 1"), m.getMessage());
            Path flat = dir.resolve("flat.npy");
            NpyFile.write(
                    flat,
                    new long[] {4, FRAMES * N_X},
                    MemorySegment.ofArray(new float[4 * FRAMES * N_X]));
            m =
                    assertThrows(
                            ModelFileException.class,
                            () -> NpyClips.open(flat, labels(new long[] {0, 1, 2, 3}), arena));
            assertTrue(m.getMessage().contains("not [N, T, F]"), m.getMessage());
        }
        float[] bad = new float[4 * FRAMES * N_X];
        bad[2 * FRAMES * N_X + N_X + 7] = Float.NaN;
        NpyFile.write(clipsFile, new long[] {4, FRAMES, N_X}, MemorySegment.ofArray(bad));
        try (Arena arena = Arena.ofShared()) {
            NpyClips nan = NpyClips.open(clipsFile, labels(new long[] {0, 1, 2, 3}), arena);
            ModelFileException m =
                    assertThrows(
                            ModelFileException.class,
                            () -> ClassifierEvaluation.evaluate(model(arena), nan, 3, 1));
            assertTrue(
                    m.getMessage().contains("non-finite value NaN in clip 2, frame 1, index 7"),
                    m.getMessage());
        }
    }
}
