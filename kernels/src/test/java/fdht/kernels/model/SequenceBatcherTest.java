package fdht.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sequence batcher against the model API run on each stream alone: outputs bit for bit and in
 * order, every limit with its answer (streams, queues, backlog, idle timeout, bad frames), listener
 * failures kept to their stream, both shutdowns, and a soak of 256 streams with nothing lost. The
 * reference is a {@link Predictor} over each stream's clip so far ({@code fdht infer}).
 */
class SequenceBatcherTest {
    static final Duration LONG = Duration.ofSeconds(60);

    /**
     * Per frame of one clip, run alone: {hidden [T][H], logits [T][C]} (logits null without head).
     */
    static float[][][] solo(Model m, float[] clip, int frames) {
        int n = m.inputSize();
        float[][][] out = new float[2][frames][];
        try (Arena arena = Arena.ofConfined();
                Predictor p = m.newPredictor()) {
            MemorySegment c = Weights.copyOf(arena, clip).asSlice(0, (long) frames * n * 4);
            MemorySegment seq = Weights.floats(arena, (long) frames * m.outputSize());
            p.hidden(c, 1, frames, seq);
            for (int t = 0; t < frames; t++) {
                out[0][t] = Weights.toArray(seq, (long) t * m.outputSize(), m.outputSize());
                if (m.hasHead()) {
                    float[] y = new float[m.classes()];
                    p.logits(c.asSlice(0, (long) (t + 1) * n * 4), 1, t + 1, y);
                    out[1][t] = y;
                }
            }
        }
        return out;
    }

    static float[] frame(float[] clip, int t, int n) {
        return Arrays.copyOfRange(clip, t * n, (t + 1) * n);
    }

    static void assertSolo(Model m, BatcherLog.Entry e, float[] clip, int frames, String what) {
        assertEquals(List.of(), e.problems, what);
        assertEquals(frames, e.hidden.size(), what + ": outputs");
        float[][][] want = solo(m, clip, frames);
        for (int t = 0; t < frames; t++) {
            if (e.hidden.get(t) != null)
                assertArrayEquals(want[0][t], e.hidden.get(t), what + ", hidden " + t);
            if (e.logits.get(t) != null)
                assertArrayEquals(want[1][t], e.logits.get(t), what + ", logits " + t);
        }
    }

    @Test
    @SuppressWarnings("try") // closed inside its block to read the final counts
    void streamsPushedFromSeveralThreadsGetTheirSoloOutputsInOrder() throws Exception {
        int streams = 24, frames = 7, threads = 3;
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[][] clips = new float[streams][];
            for (int s = 0; s < streams; s++) clips[s] = Fixtures.random(frames * n, 100 + s, 1);
            BatcherLog log = new BatcherLog(streams);
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT
                                    .withOutputs(Outputs.BOTH)
                                    .withSteppers(2))) {
                List<Thread> pushers = new ArrayList<>();
                for (int th = 0; th < threads; th++) {
                    int first = th;
                    pushers.add(
                            Thread.ofPlatform()
                                    .start(
                                            () -> {
                                                List<SequenceBatcher.Stream> mine =
                                                        new ArrayList<>();
                                                for (int s = first; s < streams; s += threads)
                                                    mine.add(b.open(s, log));
                                                for (int t = 0; t < frames; t++)
                                                    for (SequenceBatcher.Stream st : mine)
                                                        while (!st.offer(
                                                                frame(clips[(int) st.id()], t, n),
                                                                t == frames - 1))
                                                            Thread.onSpinWait();
                                            }));
                }
                for (Thread t : pushers) t.join();
                assertTrue(log.awaitEnded(60), "every stream ended");
                b.close(); // counts are final once the steppers are done
                assertTrue(b.stats().batches() > 0);
                assertEquals(streams * frames, b.stats().frames());
            }
            for (int s = 0; s < streams; s++) {
                BatcherLog.Entry e = log.of(s);
                assertEquals("end " + frames, e.ending, "stream " + s);
                assertTrue(e.last.get(frames - 1));
                assertSolo(m, e, clips[s], frames, "stream " + s);
            }
        }
    }

    /**
     * Groups of every size below two chunks of the kernels' lanes, each formed whole ({@code
     * maxBatch} the group's size, every stream with a frame waiting): all give their solo outputs,
     * and those short of a whole chunk by few enough rows were stepped as the chunk, as the stats'
     * padding rows count.
     */
    @Test
    @SuppressWarnings("try") // closed inside its block to read the final counts
    void groupsShortOfAWholeChunkAreSteppedPaddedAndGiveTheirSoloOutputs() throws Exception {
        int lanes = fdht.kernels.KernelProvider.kernels().lanes(), frames = 3, padded = 0;
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            for (int g = 1; g < 2 * lanes; g++) {
                float[][] clips = new float[g][];
                BatcherLog log = new BatcherLog(g);
                try (SequenceBatcher b =
                        m.newBatcher(
                                SequenceBatcher.Options.DEFAULT
                                        .withOutputs(Outputs.BOTH)
                                        .withMaxBatch(g)
                                        .withMaxDelay(LONG))) {
                    List<SequenceBatcher.Stream> streams = new ArrayList<>();
                    for (int s = 0; s < g; s++) {
                        clips[s] = Fixtures.random(frames * n, 1000L * g + s, 1);
                        streams.add(b.open(s, log));
                    }
                    for (int t = 0; t < frames; t++)
                        for (int s = 0; s < g; s++)
                            streams.get(s).push(frame(clips[s], t, n), t == frames - 1);
                    assertTrue(log.awaitEnded(60), "groups of " + g + ": every stream ended");
                    b.close();
                    int beyond = g % lanes;
                    long pad = beyond > GroupStep.PAD_ABOVE * lanes ? lanes - beyond : 0;
                    if (pad > 0) padded++;
                    assertEquals(frames, b.stats().batches(), "groups of " + g);
                    assertEquals((long) g * frames, b.stats().frames(), "groups of " + g);
                    assertEquals(pad * frames, b.stats().paddingRows(), "groups of " + g);
                }
                for (int s = 0; s < g; s++)
                    assertSolo(m, log.of(s), clips[s], frames, "groups of " + g + ", stream " + s);
            }
        }
        // padded: 10-15 and 26-31 at 16 lanes, 5-7 and 13-15 at 8, 3 and 7 at 4; none with 1 lane
        assertEquals(
                lanes == 1 ? 0 : 2 * (lanes - (int) (GroupStep.PAD_ABOVE * lanes) - 1), padded);
    }

    /**
     * A group takes no more than the open streams' share of one stepper, in whole chunks of lanes,
     * and never more than {@code maxBatch}: with groups of every open stream, the other steppers
     * would wait while one stepped (a stream is in one group at a time).
     */
    @Test
    void aGroupTakesNoMoreThanTheOpenStreamsShareOfOneStepper() throws Exception {
        int lanes = Math.max(1, fdht.kernels.KernelProvider.kernels().lanes());
        try (Model m = Model.load(Fixtures.bundled())) {
            for (int steppers : new int[] {1, 2, 3}) {
                try (SequenceBatcher b =
                        m.newBatcher(
                                SequenceBatcher.Options.DEFAULT
                                        .withSteppers(steppers)
                                        .withMaxBatch(4 * lanes))) {
                    BatcherLog log = new BatcherLog(8 * lanes);
                    for (int open = 0; open <= 8 * lanes; open++) {
                        if (open > 0) b.open(open - 1, log);
                        int share = (open + steppers - 1) / steppers;
                        int want = Math.min(4 * lanes, Math.max(lanes, ceil(share, lanes)));
                        b.core.lock.lock();
                        try {
                            assertEquals(
                                    want,
                                    b.core.groupLimit(),
                                    steppers + " steppers, " + open + " streams open");
                        } finally {
                            b.core.lock.unlock();
                        }
                    }
                }
            }
        }
    }

    static int ceil(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    @Test
    void aStreamIsRefusedAtTheLimitOrWaitsForAFreeSlot() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            BatcherLog log = new BatcherLog(3);
            try (SequenceBatcher b =
                    m.newBatcher(SequenceBatcher.Options.DEFAULT.withMaxStreams(2))) {
                b.open(1, log);
                SequenceBatcher.Stream second = b.open(2, log);
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> b.open(3, log));
                assertTrue(
                        e.getMessage().contains("2 streams open")
                                && e.getMessage().contains("maxStreams"),
                        e.getMessage());
                assertThrows(IllegalStateException.class, () -> b.open(1, log), "a duplicate id");
                assertEquals(2, b.stats().openStreams());
            }
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT
                                    .withMaxStreams(1)
                                    .withWhenFull(
                                            SequenceBatcher.WhenFull.WAIT,
                                            Duration.ofMillis(50)))) {
                SequenceBatcher.Stream first = b.open(1, log);
                long t0 = System.nanoTime();
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> b.open(2, log));
                assertTrue(System.nanoTime() - t0 >= 40_000_000L, "it waited");
                assertTrue(e.getMessage().contains("none freed within"), e.getMessage());
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    sleep(30);
                                    first.end();
                                });
                SequenceBatcher.Stream second = b.open(2, log); // waits for the end of the first
                assertEquals(2, second.id());
            }
        }
    }

    @Test
    void aFullQueueRefusesTheFrameAndDropsNothing() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(8 * n, 5, 1);
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            BatcherLog log = blockingAt(2, 1, inside, release);
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT
                                    .withQueuePerStream(3)
                                    .withMaxQueued(5))) {
                SequenceBatcher.Stream blocker = b.open(1, log), s = b.open(2, log);
                blocker.push(frame(clip, 0, n)); // the stepper now waits in our listener
                assertTrue(inside.await(30, TimeUnit.SECONDS));
                for (int t = 0; t < 3; t++) assertTrue(s.offer(frame(clip, t, n)));
                assertFalse(s.offer(frame(clip, 3, n)), "beyond queuePerStream");
                assertThrows(IllegalStateException.class, () -> s.push(frame(clip, 3, n)));
                assertTrue(blocker.offer(frame(clip, 1, n)));
                assertFalse(
                        blocker.offer(frame(clip, 2, n)),
                        "beyond maxQueued: 3 + 1 waiting and 1 in flight");
                release.countDown();
                while (!s.offer(frame(clip, 3, n), true)) // still open: the refused frame again
                Thread.onSpinWait();
                blocker.end();
                assertTrue(log.awaitEnded(30));
            }
            assertSolo(m, log.of(2), clip, 4, "the refused stream");
            assertEquals("end 2", log.of(1).ending);
        }
    }

    @Test
    void anIdleStreamExpiresAndFreesItsSlot() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            float[] f = Fixtures.random(m.inputSize(), 6, 1);
            BatcherLog log = new BatcherLog(1);
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT
                                    .withMaxStreams(1)
                                    .withIdleTimeout(Duration.ofMillis(100)))) {
                SequenceBatcher.Stream s = b.open(9, log);
                s.push(f);
                assertTrue(log.awaitEnded(30));
                assertEquals("expired", log.of(9).ending);
                assertEquals(1, log.of(9).hidden.size(), "its frame ran first");
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> s.push(f));
                assertTrue(e.getMessage().contains("expired"), e.getMessage());
                assertFalse(s.isOpen());
                while (b.stats().openStreams() > 0)
                    Thread.sleep(1); // freed once onExpired returned
                assertEquals(
                        9, b.open(9, new BatcherLog(1)).id(), "the slot and the id are free again");
            }
        }
    }

    @Test
    void aBadFrameFailsItsStreamOnlyAfterItsEarlierFrames() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(4 * n, 7, 1);
            BatcherLog log = new BatcherLog(3);
            try (SequenceBatcher b = m.newBatcher(SequenceBatcher.Options.DEFAULT)) {
                SequenceBatcher.Stream shortFrame = b.open(1, log),
                        nan = b.open(2, log),
                        good = b.open(3, log);
                shortFrame.push(frame(clip, 0, n));
                nan.push(frame(clip, 0, n));
                good.push(frame(clip, 0, n));
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> shortFrame.push(new float[n - 1]));
                assertTrue(
                        e.getMessage().contains((n - 1) + " values, expected N_x = " + n),
                        e.getMessage());
                float[] bad = frame(clip, 1, n);
                bad[17] = Float.NaN;
                e = assertThrows(IllegalArgumentException.class, () -> nan.push(bad));
                assertTrue(e.getMessage().contains("NaN at index 17"), e.getMessage());
                assertThrows(
                        IllegalStateException.class,
                        () -> nan.push(frame(clip, 2, n)),
                        "it failed");
                for (int t = 1; t < 4; t++) good.push(frame(clip, t, n), t == 3);
                assertTrue(log.awaitEnded(30));
            }
            for (long id : new long[] {1, 2}) {
                BatcherLog.Entry e = log.of(id);
                assertEquals("error 1", e.ending, "stream " + id);
                assertSolo(m, e, clip, 1, "stream " + id + " before its bad frame");
                assertTrue(e.error instanceof IllegalArgumentException);
            }
            assertSolo(m, log.of(3), clip, 4, "the neighbour");
        }
    }

    @Test
    void aFrameThatCannotBeReadFailsOnlyThatPushAndKeepsNothing() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(2 * n, 8, 1);
            BatcherLog log = new BatcherLog(1);
            try (SequenceBatcher b = m.newBatcher(SequenceBatcher.Options.DEFAULT)) {
                SequenceBatcher.Stream s = b.open(4, log);
                MemorySegment gone;
                try (Arena closed = Arena.ofConfined()) {
                    gone =
                            Weights.copyOf(closed, frame(clip, 0, n))
                                    .asSlice(0, (long) n * Float.BYTES);
                }
                // copied outside the batcher's lock: the failure is this push's, its frame id freed
                assertThrows(IllegalStateException.class, () -> s.offer(gone, false));
                assertEquals(0, b.stats().queuedFrames(), "no frame kept for the failed push");
                assertTrue(s.isOpen(), "the stream itself is fine");
                s.push(frame(clip, 0, n));
                s.push(frame(clip, 1, n), true);
                assertTrue(log.awaitEnded(30));
            }
            assertSolo(m, log.of(4), clip, 2, "the stream after its unreadable frame");
            assertEquals("end 2", log.of(4).ending);
        }
    }

    @Test
    void framesLentInPlaceGiveTheCopiedFramesOutputsAndABadLendingFailsByName() throws Exception {
        try (Model m = Model.load(Fixtures.bundled());
                Arena shared = Arena.ofShared()) {
            int n = m.inputSize(), frames = 3;
            float[] clip = Fixtures.random(frames * n, 9, 1);
            BatcherLog log = new BatcherLog(3); // streams 1, 2 and 5 end before the close
            try (SequenceBatcher b =
                    m.newBatcher(SequenceBatcher.Options.DEFAULT.withOutputs(Outputs.BOTH))) {
                SequenceBatcher.Stream lent = b.open(1, log), copied = b.open(2, log);
                for (int t = 0; t < frames; t++) {
                    // each lent frame its own segment, kept unchanged until the stream ended
                    MemorySegment f =
                            Weights.copyOf(shared, frame(clip, t, n))
                                    .asSlice(0, (long) n * Float.BYTES);
                    assertTrue(lent.offerInPlace(f, t == frames - 1));
                    copied.push(frame(clip, t, n), t == frames - 1);
                }
                float[] bad = frame(clip, 0, n);
                bad[17] = Float.NaN;
                SequenceBatcher.Stream nan = b.open(5, log);
                IllegalArgumentException nanError =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        nan.offerInPlace(
                                                Weights.copyOf(shared, bad)
                                                        .asSlice(0, (long) n * Float.BYTES),
                                                false));
                assertTrue(
                        nanError.getMessage().contains("NaN at index 17"), nanError.getMessage());
                assertFalse(nan.isOpen(), "a NaN lent fails its stream, as a NaN copied does");
                IllegalArgumentException heap =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        b.open(3, log)
                                                .offerInPlace(MemorySegment.ofArray(clip), false));
                assertTrue(heap.getMessage().contains("a heap segment"), heap.getMessage());
                try (Arena mine = Arena.ofConfined()) {
                    MemorySegment confined = Weights.copyOf(mine, frame(clip, 0, n));
                    IllegalArgumentException e =
                            assertThrows(
                                    IllegalArgumentException.class,
                                    () -> b.open(4, log).offerInPlace(confined, false));
                    assertTrue(e.getMessage().contains("confined to the thread"), e.getMessage());
                }
                assertTrue(log.awaitEnded(30));
            }
            assertSolo(m, log.of(1), clip, frames, "lent in place");
            assertSolo(m, log.of(2), clip, frames, "copied");
        }
    }

    @Test
    void aLentFrameWhoseArenaClosedBeforeItsStepFailsOnlyItsStream() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(n, 10, 1);
            BatcherLog log = new BatcherLog(2);
            // a delay no test waits for: the group is stepped when close() drains it
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT.withMaxDelay(LONG).withMaxBatch(64))) {
                SequenceBatcher.Stream lent = b.open(1, log), neighbour = b.open(2, log);
                Arena arena = Arena.ofShared();
                lent.offerInPlace(Weights.copyOf(arena, clip).asSlice(0, (long) n * 4), true);
                neighbour.push(clip, true);
                arena.close(); // the caller broke the contract: its frame is gone before its step
            } // close() drains: the group is stepped now
            assertTrue(log.awaitEnded(30));
            BatcherLog.Entry e = log.of(1);
            assertEquals("error 0", e.ending);
            assertTrue(
                    e.error.getMessage().contains("lent in place, could not be read"),
                    e.error.getMessage());
            assertSolo(m, log.of(2), clip, 1, "its neighbour in the same group");
        }
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnStream() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(3 * n, 8, 1);
            BatcherLog log =
                    new BatcherLog(2) {
                        @Override
                        public void onOutput(
                                long id, long i, MemorySegment l, MemorySegment h, boolean last) {
                            if (id == 1 && i == 1) throw new IllegalStateException("listener bug");
                            super.onOutput(id, i, l, h, last);
                        }
                    };
            try (SequenceBatcher b = m.newBatcher(SequenceBatcher.Options.DEFAULT)) {
                SequenceBatcher.Stream bad = b.open(1, log), good = b.open(2, log);
                for (int t = 0; t < 3; t++) {
                    try {
                        bad.offer(frame(clip, t, n), t == 2);
                    } catch (IllegalStateException expected) {
                        assertTrue(
                                expected.getMessage().contains("listener"), expected.getMessage());
                    }
                    good.push(frame(clip, t, n), t == 2);
                }
            }
            assertTrue(log.awaitEnded(30));
            assertEquals("error 1", log.of(1).ending);
            assertTrue(log.of(1).error.getMessage().contains("listener bug"));
            assertSolo(m, log.of(2), clip, 3, "the neighbour");
        }
    }

    @Test
    void closeDrainsEveryFrameAndShutdownNowReportsWhatItRefused() throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            float[] clip = Fixtures.random(5 * n, 9, 1);
            BatcherLog drained = new BatcherLog(4);
            SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT.withMaxDelay(Duration.ofMillis(50)));
            for (int s = 0; s < 4; s++) {
                SequenceBatcher.Stream st = b.open(s, drained);
                for (int t = 0; t < 5; t++) st.push(frame(clip, t, n));
            }
            b.close();
            b.close(); // idempotent
            assertTrue(drained.awaitEnded(0));
            for (int s = 0; s < 4; s++) {
                assertEquals("end 5", drained.of(s).ending);
                assertSolo(m, drained.of(s), clip, 5, "drained stream " + s);
            }
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> b.open(9, drained));
            assertTrue(
                    e.getMessage().contains("shut down") || e.getMessage().contains("closing"),
                    e.getMessage());

            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            BatcherLog stopped = blockingAt(3, 0, inside, release);
            SequenceBatcher c = m.newBatcher(SequenceBatcher.Options.DEFAULT.withMaxBatch(1));
            SequenceBatcher.Stream first = c.open(0, stopped);
            first.push(frame(clip, 0, n));
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            first.push(frame(clip, 1, n));
            for (int s = 1; s < 3; s++) {
                SequenceBatcher.Stream st = c.open(s, stopped);
                for (int t = 0; t < s; t++) st.push(frame(clip, t, n));
            }
            Thread stopper = Thread.ofPlatform().start(c::shutdownNow);
            while (c.stats().openStreams() > 1) Thread.sleep(1);
            release.countDown();
            stopper.join();
            assertEquals("dropped 1", stopped.of(0).ending, "its second frame was waiting");
            assertEquals(
                    1, stopped.of(0).hidden.size(), "its first frame was in flight and finished");
            assertEquals("dropped 1", stopped.of(1).ending);
            assertEquals("dropped 2", stopped.of(2).ending);
            assertThrows(IllegalStateException.class, () -> first.push(frame(clip, 2, n)));
        }
    }

    @Test
    void aBidirectionalOrHeadlessModelIsRefusedByName() {
        try (Arena arena = Arena.ofShared();
                Model bi = Model.of(Fixtures.bidirectional(arena, true), List.of());
                Model headless = Model.of(Fixtures.single(arena, false), List.of())) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> bi.newBatcher(SequenceBatcher.Options.DEFAULT));
            assertTrue(e.getMessage().contains("bidirectional"), e.getMessage());
            assertThrows(
                    IllegalStateException.class,
                    () -> headless.newBatcher(SequenceBatcher.Options.DEFAULT));
            try (SequenceBatcher b =
                    headless.newBatcher(
                            SequenceBatcher.Options.DEFAULT.withOutputs(Outputs.HIDDEN))) {
                assertEquals(0, b.stats().openStreams());
            }
        }
    }

    @Test
    void aSoakOf256StreamsLosesNothing() throws Exception {
        soak(256, 200);
    }

    /**
     * The soak, 256 streams x 2,000 frames (about a minute on two cores): skipped unless
     * {@code -Dfdht.longSoak=true}, e.g. {@code mvn -pl kernels -am test -Dtest=SequenceBatcherTest
     * -Dfdht.longSoak=true -Dsurefire.failIfNoSpecifiedTests=false}.
     */
    @Test
    void theLongSoakOf256StreamsBy2000FramesLosesNothing() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Boolean.getBoolean("fdht.longSoak"),
                "the long soak runs with -Dfdht.longSoak=true only");
        soak(256, 2_000);
    }

    /** {@code streams x frames} frames, two pusher threads, every output checked against solo. */
    @SuppressWarnings("try") // closed inside its block to read the final counts
    static void soak(int streams, int frames) throws Exception {
        try (Model m = Model.load(Fixtures.bundled())) {
            int n = m.inputSize();
            BatcherLog log = new BatcherLog(streams);
            try (SequenceBatcher b =
                    m.newBatcher(
                            SequenceBatcher.Options.DEFAULT
                                    .withMaxStreams(streams)
                                    .withOutputs(Outputs.BOTH)
                                    .withSteppers(2))) {
                Thread[] pushers = new Thread[2];
                for (int th = 0; th < 2; th++) {
                    int first = th;
                    pushers[th] =
                            Thread.ofPlatform()
                                    .start(
                                            () -> {
                                                List<SequenceBatcher.Stream> mine =
                                                        new ArrayList<>();
                                                for (int s = first; s < streams; s += 2)
                                                    mine.add(b.open(s, log));
                                                for (int t = 0; t < frames; t++)
                                                    for (SequenceBatcher.Stream st : mine) {
                                                        float[] f =
                                                                Fixtures.random(
                                                                        n,
                                                                        st.id() * 1_000_003L + t,
                                                                        1);
                                                        while (!st.offer(f, t == frames - 1))
                                                            Thread.onSpinWait();
                                                    }
                                            });
                }
                for (Thread t : pushers) t.join();
                assertTrue(log.awaitEnded(600), "every stream ended");
                b.close(); // counts are final once the steppers are done
                assertEquals((long) streams * frames, b.stats().frames());
                assertEquals(0, b.stats().queuedFrames());
            }
            for (int s = 0;
                    s < streams;
                    s += Math.max(1, streams / 16)) { // 16 checked against solo
                float[] clip = new float[frames * n];
                for (int t = 0; t < frames; t++)
                    System.arraycopy(Fixtures.random(n, s * 1_000_003L + t, 1), 0, clip, t * n, n);
                assertEquals("end " + frames, log.of(s).ending);
                assertSolo(m, log.of(s), clip, frames, "stream " + s);
            }
            for (int s = 0; s < streams; s++) {
                assertEquals(List.of(), log.of(s).problems);
                assertEquals(frames, log.of(s).hidden.size(), "stream " + s);
            }
        }
    }

    /**
     * A log whose stream {@code id} holds the stepper in its first output: counts {@code inside}
     * down, then waits for {@code release}.
     */
    static BatcherLog blockingAt(
            int streams, long id, CountDownLatch inside, CountDownLatch release) {
        return new BatcherLog(streams) {
            @Override
            public void onOutput(long s, long i, MemorySegment l, MemorySegment h, boolean last) {
                if (s == id && i == 0) {
                    inside.countDown();
                    await(release);
                }
                super.onOutput(s, i, l, h, last);
            }
        };
    }

    static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
