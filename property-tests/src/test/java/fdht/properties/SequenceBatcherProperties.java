package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.model.FrameListener;
import fdht.kernels.model.Model;
import fdht.kernels.model.Outputs;
import fdht.kernels.model.Predictor;
import fdht.kernels.model.SequenceBatcher;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any interleaving of pushes from several threads, frames copied or lent in place, gives every
 * stream of a sequence batcher exactly the outputs it gets alone, bit for bit and in push order:
 * its hidden state after every frame and the head's logits on it equal a {@link Predictor}'s over
 * the clip so far. Random dense stacks of one or two layers, random group sizes, steppers and
 * delays, streams split over pusher threads that each push their streams' frames in a random order
 * (a stream's own frames in order). Would fail on a state gathered from or scattered to the wrong
 * slot, a stream in two groups at once, outputs delivered out of order or to the wrong stream, or a
 * row's sums depending on its group.
 */
class SequenceBatcherProperties {
    record Case(
            int input,
            int hidden,
            int layers,
            int streams,
            int frames,
            int maxBatch,
            int threads,
            int steppers,
            long seed) {}

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 20),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(1, 12),
                        Arbitraries.integers().between(1, 6),
                        Arbitraries.integers().between(1, 8),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.longs())
                .as(
                        (input, hidden, layers, streams, frames, maxBatch, threads, seed) ->
                                new Case(
                                        input,
                                        hidden,
                                        layers,
                                        streams,
                                        frames,
                                        maxBatch,
                                        threads,
                                        1 + (int) (seed & 1),
                                        seed));
    }

    private static LstmStack stack(Case c, SplittableRandom r, Arena arena) {
        Lstm[][] cells = new Lstm[c.layers()][1];
        for (int l = 0; l < c.layers(); l++) {
            int in = l == 0 ? c.input() : c.hidden();
            cells[l][0] =
                    Lstm.dense(
                            Weights.copyOf(
                                    arena,
                                    ModelApiProperties.random(
                                            r, 4 * c.hidden() * (in + c.hidden()), 0.5)),
                            in,
                            c.hidden(),
                            ModelApiProperties.random(r, 4 * c.hidden(), 0.2),
                            arena);
        }
        return LstmStack.of(
                cells,
                new DenseHead(
                        ModelApiProperties.random(r, 3 * c.hidden(), 1),
                        ModelApiProperties.random(r, 3, 1),
                        3,
                        c.hidden(),
                        arena));
    }

    /** Records each stream's outputs, copied. */
    static final class Recorder implements FrameListener {
        final float[][][] hidden, logits; // [stream][frame]
        final long[] next;
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch ended;

        Recorder(int streams, int frames) {
            hidden = new float[streams][frames][];
            logits = new float[streams][frames][];
            next = new long[streams];
            ended = new CountDownLatch(streams);
        }

        @Override
        public void onOutput(long id, long frame, MemorySegment l, MemorySegment h, boolean last) {
            int s = (int) id;
            if (frame != next[s])
                problems.add("stream " + s + ": frame " + frame + " after " + next[s]);
            next[s] = frame + 1;
            hidden[s][(int) frame] = h.toArray(ValueLayout.JAVA_FLOAT);
            logits[s][(int) frame] = l.toArray(ValueLayout.JAVA_FLOAT);
        }

        @Override
        public void onEnd(long id, long frames) {
            ended.countDown();
        }

        @Override
        public void onError(long id, long frame, RuntimeException e) {
            problems.add("stream " + id + ", frame " + frame + ": " + e);
            ended.countDown();
        }

        @Override
        public void onExpired(long id) {
            problems.add("stream " + id + " expired");
            ended.countDown();
        }
    }

    @Property(tries = 40)
    void everyStreamGetsItsSoloOutputsInOrder(@ForAll("cases") Case c) throws Exception {
        SplittableRandom r = new SplittableRandom(c.seed());
        int n = c.input(), t = c.frames(), h = c.hidden();
        try (Arena arena = Arena.ofShared()) {
            LstmStack stack = stack(c, r, arena);
            float[][] clips = new float[c.streams()][];
            for (int s = 0; s < c.streams(); s++) clips[s] = ModelApiProperties.random(r, t * n, 1);
            Recorder rec = new Recorder(c.streams(), t);
            try (Model model = Model.of(stack, List.of());
                    SequenceBatcher b =
                            model.newBatcher(
                                    SequenceBatcher.Options.DEFAULT
                                            .withMaxBatch(c.maxBatch())
                                            .withSteppers(c.steppers())
                                            .withMaxDelay(Duration.ofNanos(r.nextInt(100_000)))
                                            .withQueuePerStream(1 + r.nextInt(t))
                                            .withIdleTimeout(Duration.ofMinutes(5))
                                            .withOutputs(Outputs.BOTH))) {
                List<Thread> pushers = new ArrayList<>();
                for (int th = 0; th < c.threads(); th++) {
                    int first = th;
                    long seed = r.nextLong();
                    pushers.add(
                            Thread.ofPlatform()
                                    .start(
                                            () ->
                                                    push(
                                                            arena,
                                                            b,
                                                            rec,
                                                            clips,
                                                            first,
                                                            c.threads(),
                                                            t,
                                                            n,
                                                            seed)));
                }
                for (Thread p : pushers) p.join();
                assertTrue(rec.ended.await(60, TimeUnit.SECONDS), "every stream ended, " + c);
                assertEquals(List.of(), rec.problems, c.toString());
                try (Predictor p = model.newPredictor()) {
                    for (int s = 0; s < c.streams(); s++) {
                        MemorySegment clip =
                                Weights.copyOf(arena, clips[s]).asSlice(0, (long) t * n * 4);
                        MemorySegment seq = Weights.floats(arena, (long) t * h);
                        p.hidden(clip, 1, t, seq);
                        for (int f = 0; f < t; f++) {
                            assertArrayEquals(
                                    Weights.toArray(seq, (long) f * h, h),
                                    rec.hidden[s][f],
                                    "hidden, stream " + s + ", frame " + f + ", " + c);
                            float[] y = new float[3];
                            p.logits(clip.asSlice(0, (long) (f + 1) * n * 4), 1, f + 1, y);
                            assertArrayEquals(
                                    y,
                                    rec.logits[s][f],
                                    "logits, stream " + s + ", frame " + f + ", " + c);
                        }
                    }
                }
            }
        }
    }

    /**
     * Opens streams first, first + step, ...; pushes their frames in a random interleaving, each
     * copied ({@code offer}) or lent in place ({@code offerInPlace}, a segment of {@code arena},
     * which outlives the batcher), at random.
     */
    private static void push(
            Arena arena,
            SequenceBatcher b,
            Recorder rec,
            float[][] clips,
            int first,
            int step,
            int frames,
            int n,
            long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<SequenceBatcher.Stream> mine = new ArrayList<>();
        for (int s = first; s < clips.length; s += step) mine.add(b.open(s, rec));
        int[] pushed = new int[mine.size()];
        int left = mine.size() * frames;
        while (left > 0) {
            int i = r.nextInt(mine.size());
            if (pushed[i] == frames) continue;
            SequenceBatcher.Stream s = mine.get(i);
            int f = pushed[i];
            float[] frame = Arrays.copyOfRange(clips[(int) s.id()], f * n, (f + 1) * n);
            boolean queued =
                    r.nextBoolean()
                            ? s.offer(frame, f == frames - 1)
                            : s.offerInPlace(
                                    Weights.copyOf(arena, frame).asSlice(0, (long) n * 4),
                                    f == frames - 1);
            if (queued) {
                pushed[i]++;
                left--;
            } else Thread.onSpinWait(); // its queue is full: refused, try another
        }
    }
}
