package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.model.BulkOptions;
import fdht.kernels.model.BulkScores;
import fdht.kernels.model.ClipSource;
import fdht.kernels.model.Model;
import fdht.kernels.model.Outputs;
import fdht.kernels.model.Prediction;
import fdht.kernels.model.Predictor;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The model API computes exactly what one run of its stack over the whole batch computes, bit for
 * bit, whatever the chunk, the threads and the batch a predictor sees: every row's sums do not
 * depend on the rows beside it ({@code DenseKernelDeterminismTest}), so any split of the clips into
 * chunks, threads or predictor batches must give the same floats, in input order. Would fail on a
 * chunk read from or written to the wrong offset, a tail chunk run with the wrong workspace,
 * results delivered out of order, or a predictor reusing a workspace of another batch size. Random
 * dense stacks (any shape), one or two layers and directions, with a head.
 */
class ModelApiProperties {
    record Case(
            int input,
            int hidden,
            int layers,
            int directions,
            int frames,
            int batch,
            int chunk,
            int threads,
            long seed) {}

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 24),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(0, 3), // layers x directions
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(1, 40),
                        Arbitraries.integers().between(0, 20),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.longs())
                .as(
                        (input, hidden, shape, frames, batch, chunk, threads, seed) ->
                                new Case(
                                        input,
                                        hidden,
                                        1 + shape / 2,
                                        1 + shape % 2,
                                        frames,
                                        batch,
                                        chunk,
                                        threads,
                                        seed));
    }

    static float[] random(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    private static LstmStack stack(Case c, SplittableRandom r, Arena arena) {
        Lstm[][] cells = new Lstm[c.layers()][c.directions()];
        for (int l = 0; l < c.layers(); l++) {
            int in = l == 0 ? c.input() : c.directions() * c.hidden();
            for (int d = 0; d < c.directions(); d++)
                cells[l][d] =
                        Lstm.dense(
                                Weights.copyOf(
                                        arena, random(r, 4 * c.hidden() * (in + c.hidden()), 0.5)),
                                in,
                                c.hidden(),
                                random(r, 4 * c.hidden(), 0.2),
                                arena);
        }
        int width = c.directions() * c.hidden();
        return LstmStack.of(
                cells, new DenseHead(random(r, 3 * width, 1), random(r, 3, 1), 3, width, arena));
    }

    @Property(tries = 60)
    void bulkScoringAndPredictorsEqualOneRunOfTheStack(@ForAll("cases") Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        try (Arena arena = Arena.ofShared()) {
            LstmStack stack = stack(c, r, arena);
            int b = c.batch(), t = c.frames(), n = c.input(), width = stack.outputSize();
            float[] clips = random(r, b * t * n, 1);
            MemorySegment in = Weights.copyOf(arena, clips).asSlice(0, clips.length * 4L);
            MemorySegment seq = Weights.floats(arena, (long) b * t * width),
                    y = Weights.floats(arena, b * 3L);
            stack.run(in, t, stack.newWorkspace(b, t, arena), seq, y);
            float[] expectSeq = Weights.toArray(seq, 0, b * t * width),
                    expectY = Weights.toArray(y, 0, b * 3);
            try (Model model = Model.of(stack, List.of("a", "b", "c"))) {
                MemorySegment gotSeq = MemorySegment.ofArray(new float[b * t * width]);
                BulkScores s =
                        model.score(
                                ClipSource.of(in, b, t),
                                BulkOptions.DEFAULT
                                        .withChunk(c.chunk())
                                        .withThreads(c.threads())
                                        .withOutputs(Outputs.BOTH)
                                        .withHiddenInto(gotSeq));
                assertEquals(b, s.clips());
                assertArrayEquals(expectY, s.logits(), "logits, " + c);
                assertArrayEquals(
                        expectSeq, gotSeq.toArray(ValueLayout.JAVA_FLOAT), "output, " + c);
                try (Predictor p = model.newPredictor()) {
                    for (int first = 0; first < b; ) { // sub-batches of changing sizes
                        int m = Math.min(b - first, 1 + r.nextInt(Math.max(1, c.chunk() + 1)));
                        List<Prediction> got =
                                p.predictBatch(
                                        in.asSlice((long) first * t * n * 4, (long) m * t * n * 4),
                                        m,
                                        t);
                        for (int i = 0; i < m; i++)
                            assertArrayEquals(
                                    Arrays.copyOfRange(
                                            expectY, (first + i) * 3, (first + i + 1) * 3),
                                    got.get(i).logits(),
                                    "predictor, clip " + (first + i) + ", " + c);
                        first += m;
                    }
                }
            }
        }
    }
}
