package fdht.kernels.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A sequence batcher allocates nothing per frame at steady state, on the pushing thread and on its
 * stepper, frames copied or lent in place: counted by the JVM over rounds of one frame for each of
 * 16 streams of the bundled MFM-40 model (a full group of 16), after a warm-up. What may remain is
 * the JDK's lock and condition queues, which take a node of about 32 bytes when a thread waits (a
 * stepper waiting for the next group, a push meeting the stepper at the lock): per group or per
 * contended push, never per frame, so the bound is a few of those per round of 16 frames. Runs in
 * the allocation fork of its own (see the kernels pom).
 */
class BatcherAllocationTest {
    static final int STREAMS = 16, WARM_UP = 2_000, ROUNDS = 500;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Per round of 16 frames: a few lock or condition nodes (32 bytes each), no frame's worth. */
    static final long BOUND_PER_ROUND = 4 * 40;

    @Test
    void aFrameAllocatesNothingOnThePusherOrTheStepper() throws Exception {
        measure(false);
    }

    @Test
    void aFrameLentInPlaceAllocatesNothingEither() throws Exception {
        measure(true);
    }

    /** Rounds of frames copied ({@code offer}) or lent ({@code offerInPlace}), then the counts. */
    private static void measure(boolean lend) throws Exception {
        AtomicLong outputs = new AtomicLong();
        FrameListener counting =
                new FrameListener() {
                    @Override
                    public void onOutput(
                            long id, long i, MemorySegment l, MemorySegment h, boolean last) {
                        outputs.incrementAndGet();
                    }

                    @Override
                    public void onError(long id, long i, RuntimeException e) {
                        throw new AssertionError("stream " + id + " failed", e);
                    }
                };
        try (Arena arena = Arena.ofShared();
                Model m = Model.load(Fixtures.bundled());
                SequenceBatcher b =
                        m.newBatcher(
                                SequenceBatcher.Options.DEFAULT
                                        .withMaxBatch(STREAMS)
                                        // the first groups run interpreted, for seconds
                                        .withIdleTimeout(java.time.Duration.ofMinutes(10)))) {
            MemorySegment frame =
                    Weights.copyOf(arena, Fixtures.random(m.inputSize(), 3, 1))
                            .asSlice(0, (long) m.inputSize() * Float.BYTES);
            SequenceBatcher.Stream[] streams = new SequenceBatcher.Stream[STREAMS];
            for (int s = 0; s < STREAMS; s++) streams[s] = b.open(s, counting);
            long stepper = b.core.steppers[0].threadId();
            Runnable round =
                    () -> {
                        long want = outputs.get() + STREAMS;
                        for (SequenceBatcher.Stream s : streams)
                            while (!(lend ? s.offerInPlace(frame, false) : s.offer(frame, false)))
                                Thread.onSpinWait();
                        while (outputs.get() < want) Thread.onSpinWait();
                    };
            for (int i = 0; i < WARM_UP; i++) round.run();
            long leastPusher = Long.MAX_VALUE, leastStepper = Long.MAX_VALUE;
            for (long start = System.nanoTime();
                    (leastPusher > ROUNDS * BOUND_PER_ROUND
                                    || leastStepper > ROUNDS * BOUND_PER_ROUND)
                            && System.nanoTime() - start < 30_000_000_000L; ) {
                long pusher0 = THREADS.getCurrentThreadAllocatedBytes();
                long stepper0 = THREADS.getThreadAllocatedBytes(stepper);
                for (int i = 0; i < ROUNDS; i++) round.run();
                leastPusher =
                        Math.min(leastPusher, THREADS.getCurrentThreadAllocatedBytes() - pusher0);
                leastStepper =
                        Math.min(leastStepper, THREADS.getThreadAllocatedBytes(stepper) - stepper0);
            }
            System.out.printf(
                    "batcher allocation per frame (%s): pusher %.2f bytes, stepper %.2f bytes%n",
                    lend ? "lent" : "copied",
                    (double) leastPusher / ROUNDS / STREAMS,
                    (double) leastStepper / ROUNDS / STREAMS);
            assertTrue(
                    leastPusher <= ROUNDS * BOUND_PER_ROUND,
                    "pusher: "
                            + leastPusher / ROUNDS
                            + " bytes per round of "
                            + STREAMS
                            + " frames");
            assertTrue(
                    leastStepper <= ROUNDS * BOUND_PER_ROUND,
                    "stepper: "
                            + leastStepper / ROUNDS
                            + " bytes per round of "
                            + STREAMS
                            + " frames");
        }
    }
}
