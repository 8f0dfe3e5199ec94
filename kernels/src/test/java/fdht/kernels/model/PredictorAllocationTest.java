package fdht.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.Allocations;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A predictor allocates nothing in its zero-allocation forms and only its result otherwise, once
 * its buffers fit: counted by {@link Allocations} over rounds of calls, for the bundled MFM-40
 * model and a two-layer bidirectional stack, at batch 1 and 3. Runs in the allocation fork of its
 * own (see the kernels pom), where C2 compiles the kernels with this test's profile only.
 */
class PredictorAllocationTest {
    /** Rounds repeat until a round allocates nothing (or only results), so warm-up can be short. */
    static final int WARM_UP = 1_000, CALLS = 200;

    /**
     * A generous bound on one prediction: the object, its logits and, when kept, its hidden state.
     */
    static long predictionBytes(Model m, boolean hidden) {
        return 64 + 16 + 4L * m.classes() + (hidden ? 16 + 4L * m.outputSize() : 0);
    }

    @Test
    void theZeroAllocationFormsAllocateNothingAndPredictOnlyItsResult() {
        try (Arena arena = Arena.ofShared();
                Model bundled = Model.load(Fixtures.bundled());
                Model stack = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            for (Model m : List.of(bundled, stack)) {
                int frames = m == bundled ? 8 : 3;
                for (int batch : new int[] {1, 3}) {
                    String what = m.name() + ", batch " + batch;
                    long floats = (long) batch * frames * m.inputSize();
                    MemorySegment clips =
                            Weights.copyOf(arena, Fixtures.random((int) floats, batch, 1))
                                    .asSlice(0, floats * Float.BYTES);
                    MemorySegment heapClips =
                            MemorySegment.ofArray(Fixtures.random((int) floats, batch, 1));
                    float[] y = new float[batch * m.classes()];
                    MemorySegment ys = Weights.floats(arena, batch * m.classes());
                    MemorySegment seq =
                            Weights.floats(arena, (long) batch * frames * m.outputSize());
                    MemorySegment last = Weights.floats(arena, (long) batch * m.outputSize());
                    try (Predictor p = m.newPredictor()) {
                        assertEquals(0, least(() -> p.logits(clips, batch, frames, y)), what);
                        assertEquals(0, least(() -> p.logits(heapClips, batch, frames, ys)), what);
                        assertEquals(0, least(() -> p.hidden(clips, batch, frames, seq)), what);
                        assertEquals(
                                0, least(() -> p.lastHidden(clips, batch, frames, last)), what);
                        long batchBound = batch * predictionBytes(m, false) + 64 + 8L * batch;
                        long got =
                                least(
                                        () -> p.predictBatch(clips, batch, frames),
                                        CALLS * batchBound);
                        assertTrue(
                                got <= CALLS * batchBound,
                                what + ": " + got / CALLS + " bytes a call");
                        if (batch == 1) {
                            got =
                                    least(
                                            () -> p.predict(clips, frames),
                                            CALLS * predictionBytes(m, false));
                            assertTrue(
                                    got <= CALLS * predictionBytes(m, false),
                                    what + ": " + got / CALLS + " bytes a call");
                        }
                    }
                    MemorySegment heapClip =
                            heapClips.asSlice(0, (long) frames * m.inputSize() * 4);
                    try (Predictor p = m.newPredictor(PredictOptions.DEFAULT.withHidden(true))) {
                        long got =
                                least(
                                        () -> p.predict(heapClip, frames),
                                        CALLS * predictionBytes(m, true));
                        assertTrue(
                                got <= CALLS * predictionBytes(m, true),
                                what + ", hidden kept: " + got / CALLS + " bytes a call");
                    }
                }
            }
        }
    }

    private static long least(Runnable call) {
        return least(call, 0);
    }

    /** The fewest bytes a round of {@link #CALLS} calls allocated, trying until {@code enough}. */
    private static long least(Runnable call, long enough) {
        return Allocations.leastPerRound(call, WARM_UP, CALLS, enough);
    }
}
