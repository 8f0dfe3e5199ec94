package fdht.kernels.lstm;

import static fdht.kernels.lstm.LstmModelFileTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LstmStackTest {
    @TempDir Path dir;

    /**
     * A dense stack with random weights: {@code w[l][d]} row-major {@code 4H x (in_l + H)}, {@code
     * b[l][d]}, plus a head over {@code D*H}.
     */
    record Dense(
            int input,
            int hidden,
            int layers,
            int directions,
            float[][][] w,
            float[][][] b,
            float[] headW,
            float[] headB,
            int classes) {
        static Dense random(
                int input, int hidden, int layers, int directions, int classes, long seed) {
            float[][][] w = new float[layers][directions][], b = new float[layers][directions][];
            for (int l = 0; l < layers; l++) {
                int in = l == 0 ? input : directions * hidden;
                for (int d = 0; d < directions; d++) {
                    w[l][d] =
                            LstmModelFileTest.random(
                                    4 * hidden * (in + hidden),
                                    seed + 7L * l + d,
                                    1 / Math.sqrt(in + hidden) * 2);
                    b[l][d] = LstmModelFileTest.random(4 * hidden, seed + 100 + 7L * l + d, 0.3);
                }
            }
            return new Dense(
                    input,
                    hidden,
                    layers,
                    directions,
                    w,
                    b,
                    LstmModelFileTest.random(classes * directions * hidden, seed + 1000, 0.5),
                    LstmModelFileTest.random(classes, seed + 1001, 0.5),
                    classes);
        }

        int in(int l) {
            return l == 0 ? input : directions * hidden;
        }

        LstmStack toStack(Arena arena) {
            Lstm[][] cells = new Lstm[layers][directions];
            for (int l = 0; l < layers; l++)
                for (int d = 0; d < directions; d++)
                    cells[l][d] =
                            Lstm.dense(
                                    Weights.copyOf(arena, w[l][d]), in(l), hidden, b[l][d], arena);
            return LstmStack.of(
                    cells, new DenseHead(headW, headB, classes, directions * hidden, arena));
        }

        /**
         * The obvious reference, in double precision: PyTorch's nn.LSTM equations layer by layer,
         * the reverse direction over reversed time, outputs concatenated; the head on output[:,
         * -1]. Returns {output [T][D*H], logits [C]} for one clip {@code x[T][N]}.
         */
        double[][][] reference(float[] x, int frames) {
            double[][] seq = new double[frames][input];
            for (int t = 0; t < frames; t++)
                for (int j = 0; j < input; j++) seq[t][j] = x[t * input + j];
            for (int l = 0; l < layers; l++) {
                double[][] next = new double[frames][directions * hidden];
                for (int d = 0; d < directions; d++) {
                    double[] h = new double[hidden], c = new double[hidden];
                    int cols = in(l) + hidden;
                    for (int s = 0; s < frames; s++) {
                        int t = d == 1 ? frames - 1 - s : s;
                        double[] z = new double[4 * hidden];
                        for (int r = 0; r < 4 * hidden; r++) {
                            double sum = b[l][d][r];
                            for (int j = 0; j < in(l); j++)
                                sum += w[l][d][r * cols + j] * seq[t][j];
                            for (int j = 0; j < hidden; j++)
                                sum += w[l][d][r * cols + in(l) + j] * h[j];
                            z[r] = sum;
                        }
                        for (int u = 0; u < hidden; u++) {
                            double i = sig(z[u]),
                                    f = sig(z[hidden + u]),
                                    g = Math.tanh(z[2 * hidden + u]),
                                    o = sig(z[3 * hidden + u]);
                            c[u] = f * c[u] + i * g;
                            h[u] = o * Math.tanh(c[u]);
                            next[t][d * hidden + u] = h[u];
                        }
                    }
                }
                seq = next;
            }
            double[] logits = new double[classes];
            for (int k = 0; k < classes; k++) {
                double sum = headB[k];
                for (int j = 0; j < directions * hidden; j++)
                    sum += headW[k * directions * hidden + j] * seq[frames - 1][j];
                logits[k] = sum;
            }
            return new double[][][] {seq, {logits}};
        }

        private static double sig(double v) {
            return 1 / (1 + Math.exp(-v));
        }
    }

    @Test
    void stacksInBothDirectionsEqualTheDoublePrecisionReference() {
        for (int[] shape : new int[][] {{7, 3, 1, 1}, {7, 3, 2, 1}, {5, 4, 1, 2}, {11, 2, 3, 2}}) {
            int input = shape[0],
                    hidden = shape[1],
                    layers = shape[2],
                    directions = shape[3],
                    frames = 5,
                    batch = 2;
            Dense dense = Dense.random(input, hidden, layers, directions, 3, 40 + input);
            try (Arena arena = Arena.ofConfined()) {
                LstmStack stack = dense.toStack(arena);
                float[] clip = random(batch * frames * input, 9, 1);
                LstmStack.Workspace ws = stack.newWorkspace(batch, frames + 2, arena);
                MemorySegment
                        out = Weights.floats(arena, (long) batch * frames * stack.outputSize()),
                        y = Weights.floats(arena, batch * 3L);
                stack.run(Weights.copyOf(arena, clip), frames, ws, out, y);
                for (int b = 0; b < batch; b++) {
                    double[][][] ref =
                            dense.reference(
                                    java.util.Arrays.copyOfRange(
                                            clip, b * frames * input, (b + 1) * frames * input),
                                    frames);
                    // each value is a chain of layers x frames of float sums of N + H terms of size
                    // ~1; 1e-5 per link
                    double eps = 1e-5 * layers * frames * (input + hidden);
                    for (int t = 0; t < frames; t++)
                        for (int j = 0; j < stack.outputSize(); j++)
                            assertEquals(
                                    ref[0][t][j],
                                    Weights.get(
                                            out, ((long) b * frames + t) * stack.outputSize() + j),
                                    eps,
                                    shapeName(shape) + " output b" + b + " t" + t + " j" + j);
                    for (int k = 0; k < 3; k++)
                        assertEquals(
                                ref[1][0][k],
                                Weights.get(y, b * 3L + k),
                                eps * stack.outputSize(),
                                shapeName(shape) + " logit " + k);
                }
            }
        }
    }

    private static String shapeName(int[] s) {
        return "N " + s[0] + " H " + s[1] + " layers " + s[2] + " directions " + s[3];
    }

    @Test
    void aOneLayerStackComputesWhatItsLayerComputesBitForBit() {
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm =
                    RobustnessTest.model(arena)
                            .withHead(
                                    new DenseHead(
                                            random(8, 1, 1),
                                            random(2, 2, 1),
                                            2,
                                            RobustnessTest.HIDDEN,
                                            arena));
            LstmStack stack = LstmStack.single(lstm);
            int frames = RobustnessTest.FRAMES, batch = 3, h = RobustnessTest.HIDDEN;
            MemorySegment clip =
                    Weights.copyOf(arena, random(batch * frames * RobustnessTest.INPUT, 5, 1));
            MemorySegment a = Weights.floats(arena, (long) batch * frames * h),
                    b = Weights.floats(arena, (long) batch * frames * h);
            MemorySegment ya = Weights.floats(arena, batch * 2L),
                    yb = Weights.floats(arena, batch * 2L);
            LstmState state = lstm.newState(batch, arena);
            lstm.run(clip, frames, state, lstm.newWorkspace(batch, arena), a);
            lstm.logits(state, ya);
            stack.run(clip, frames, stack.newWorkspace(batch, frames, arena), b, yb);
            assertArrayEquals(
                    Weights.toArray(a, 0, batch * frames * h),
                    Weights.toArray(b, 0, batch * frames * h));
            assertArrayEquals(Weights.toArray(ya, 0, batch * 2), Weights.toArray(yb, 0, batch * 2));
        }
    }

    @Test
    void theHeadOfABidirectionalStackSeesTheReverseStateAfterOnlyTheLastFrame() {
        Dense dense = Dense.random(6, 3, 1, 2, 2, 77);
        try (Arena arena = Arena.ofConfined()) {
            LstmStack stack = dense.toStack(arena);
            int frames = 4;
            float[] clip = random(frames * 6, 3, 1);
            MemorySegment out = Weights.floats(arena, frames * 6L);
            stack.run(
                    Weights.copyOf(arena, clip),
                    frames,
                    stack.newWorkspace(1, frames, arena),
                    out,
                    null);
            Lstm reverse = stack.layer(0, 1);
            LstmState s = reverse.newState(1, arena);
            reverse.step(
                    Weights.copyOf(
                            arena,
                            java.util.Arrays.copyOfRange(clip, (frames - 1) * 6, frames * 6)),
                    0,
                    6,
                    s,
                    reverse.newWorkspace(1, arena));
            for (int u = 0; u < 3; u++)
                assertEquals(
                        s.hToArray()[u],
                        Weights.get(out, (frames - 1) * 6L + 3 + u),
                        "reverse half of output[T-1]");
        }
    }

    @Test
    void stackFilesRoundTripAndSingleLayerFilesStayVersionOne() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int h = 2;
            Lstm l0f =
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                    1,
                                    arena),
                            10,
                            random(8, 1, 0.1f),
                            arena);
            Lstm l0r =
                    Lstm.tt(
                            TtMatrix.random(
                                    new TtFormat(
                                            new int[] {4, 2},
                                            new int[] {3, 4},
                                            new int[] {1, 2, 1}),
                                    2,
                                    arena),
                            10,
                            random(8, 2, 0.1f),
                            arena);
            Lstm l1f =
                    Lstm.fdht(
                            HtMatrix.random(
                                    new HtFormat(
                                            new int[] {8, 1},
                                            new int[] {3, 3},
                                            fdht.layout.DimensionTree.balanced(2),
                                            new int[] {1, 3, 1}),
                                    3,
                                    arena),
                            4,
                            random(8, 3, 0.1f),
                            arena);
            Lstm l1r =
                    Lstm.htInput(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {2, 2}, 2),
                                    4,
                                    arena),
                            Weights.copyOf(arena, random(16, 5, 1)),
                            4,
                            random(8, 4, 0.1f),
                            arena);
            LstmStack stack =
                    LstmStack.of(
                            new Lstm[][] {{l0f, l0r}, {l1f, l1r}},
                            new DenseHead(
                                    random(3 * 2 * h, 6, 1), random(3, 7, 1), 3, 2 * h, arena));
            Path p = dir.resolve("stack.safetensors");
            LstmModelFile.write(stack, p);
            LstmStack back = LstmModelFile.readStack(p, arena);
            assertEquals(2, back.layerCount());
            assertEquals(2, back.directions());
            int frames = 3;
            MemorySegment clip = Weights.copyOf(arena, random(2 * frames * 10, 8, 1));
            float[][] a = outputs(stack, clip, frames, arena),
                    b = outputs(back, clip, frames, arena);
            assertArrayEquals(a[0], b[0]);
            assertArrayEquals(a[1], b[1]);
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> LstmModelFile.read(p, arena));
            assertTrue(e.getMessage().contains("2 layers in both directions"), e.getMessage());
            String header = Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(
                    header.contains("\"format_version\":\"2\"")
                            && header.contains("l1_reverse.lstm.weight_hh"),
                    "version 2 names: " + header.substring(0, 400));

            Path q = dir.resolve("single.safetensors");
            LstmModelFile.write(LstmStack.single(l0f), q);
            assertTrue(
                    Files.readString(q, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("\"format_version\":\"1\""));
            assertTrue(LstmModelFile.readStack(q, arena).isSingle());

            Files.writeString(
                    dir.resolve("bad.safetensors"),
                    header.replace("\"l1.kind\":\"fdht\"", "\"l1.kind\":\"xxxx\""),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            e =
                    assertThrows(
                            ModelFileException.class,
                            () -> LstmModelFile.readStack(dir.resolve("bad.safetensors"), arena));
            assertTrue(e.getMessage().contains("l1.kind"), e.getMessage());
            Files.writeString(
                    dir.resolve("bad.safetensors"),
                    header.replace("\"num_layers\":\"2\"", "\"num_layers\":\"3\""),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            e =
                    assertThrows(
                            ModelFileException.class,
                            () -> LstmModelFile.readStack(dir.resolve("bad.safetensors"), arena));
            assertTrue(e.getMessage().contains("'l2."), e.getMessage());
        }
    }

    private static float[][] outputs(LstmStack s, MemorySegment clip, int frames, Arena arena) {
        MemorySegment out = Weights.floats(arena, 2L * frames * s.outputSize()),
                y = Weights.floats(arena, 2L * s.headClasses());
        s.run(clip, frames, s.newWorkspace(2, frames, arena), out, y);
        return new float[][] {
            Weights.toArray(out, 0, 2 * frames * s.outputSize()),
            Weights.toArray(y, 0, 2 * s.headClasses())
        };
    }

    @Test
    void inconsistentStacksAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            Dense dense = Dense.random(5, 3, 2, 2, 2, 1);
            LstmStack ok = dense.toStack(arena);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    LstmStack.of(
                                            new Lstm[][] {
                                                {ok.layer(0, 0), ok.layer(0, 1)},
                                                {ok.layer(0, 0), ok.layer(1, 1)}
                                            },
                                            null));
            assertTrue(
                    e.getMessage()
                            .contains("layer 1 takes 5 inputs but the layer below gives D*H = 6"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    LstmStack.of(
                                            new Lstm[][] {
                                                {ok.layer(0, 0), ok.layer(0, 1)}, {ok.layer(1, 0)}
                                            },
                                            null));
            assertTrue(e.getMessage().contains("layer 1 has 1 directions"), e.getMessage());
        }
    }

    @Test
    void aWorkspaceOfAnotherStackIsRefusedEvenWhenItsFirstLayerIsShared() {
        try (Arena arena = Arena.ofConfined()) {
            LstmStack two = Dense.random(5, 3, 2, 1, 2, 4).toStack(arena);
            LstmStack one =
                    LstmStack.of(
                            new Lstm[][] {{two.layer(0, 0)}}, null); // layer 0's weights, one layer
            MemorySegment clip = Weights.floats(arena, 2L * 5), out = Weights.floats(arena, 2L * 3);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> two.run(clip, 2, one.newWorkspace(1, 2, arena), out, null));
            assertTrue(e.getMessage().contains("another stack"), e.getMessage());
            two.withKernels(fdht.kernels.ScalarKernels.INSTANCE)
                    .run(
                            clip,
                            2,
                            two.newWorkspace(1, 2, arena),
                            out,
                            null); // the same weights: fits
        }
    }
}
