package fdht.kernels.model;

import static fdht.kernels.model.Fixtures.CLASSES;
import static fdht.kernels.model.Fixtures.INPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A predictor gives, for every input form and batch, exactly what one run of the stack gives (bit
 * for bit), and refuses bad input before touching the caller's buffers.
 */
class PredictorTest {
    private static float[] row(float[] all, int b, int width) {
        return Arrays.copyOfRange(all, b * width, (b + 1) * width);
    }

    /** The last frame of clip {@code b} of an output {@code [B][T][D*H]}. */
    private static float[] last(float[] seq, int b, int frames, int width) {
        int at = (b * frames + frames - 1) * width;
        return Arrays.copyOfRange(seq, at, at + width);
    }

    @Test
    void everyInputFormGivesTheStacksResultBitForBit() {
        int frames = 5;
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of())) {
            LstmStack stack = model.stack();
            float[] clip = Fixtures.clips(1, frames, 7);
            float[][] ref = Fixtures.reference(stack, clip, 1, frames);
            int width = stack.outputSize();
            try (Predictor p = model.newPredictor(PredictOptions.DEFAULT.withHidden(true))) {
                ByteBuffer be =
                        ByteBuffer.allocateDirect(clip.length * 4).order(ByteOrder.BIG_ENDIAN);
                be.asFloatBuffer().put(clip);
                ByteBuffer ne =
                        ByteBuffer.allocateDirect(clip.length * 4).order(ByteOrder.nativeOrder());
                ne.asFloatBuffer().put(clip);
                FloatBuffer heapBuffer = FloatBuffer.allocate(clip.length + 3);
                heapBuffer.position(3);
                heapBuffer.put(clip).position(3);
                List<Prediction> all =
                        List.of(
                                p.predict(Fixtures.arrays(clip, 1, frames)[0]),
                                p.predict(clip, frames),
                                p.predict(heapBuffer, frames),
                                p.predict(be.asFloatBuffer(), frames),
                                p.predict(ne.asFloatBuffer(), frames),
                                p.predict(MemorySegment.ofArray(clip), frames),
                                p.predict(
                                        Weights.copyOf(arena, clip).asSlice(0, clip.length * 4L),
                                        frames));
                for (Prediction r : all) {
                    assertArrayEquals(ref[1], r.logits());
                    assertArrayEquals(last(ref[0], 0, frames, width), r.lastHidden().orElseThrow());
                }
                assertEquals(3, heapBuffer.position(), "the buffer's position is left alone");
            }
        }
    }

    @Test
    void batchesOfEverySizeGrowingAndShrinkingGiveTheStacksResult() {
        int frames = 4;
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, true), List.of());
                Predictor p = model.newPredictor(PredictOptions.DEFAULT.withHidden(true))) {
            LstmStack stack = model.stack();
            int width = stack.outputSize();
            for (int batch : new int[] {1, 3, 17, 2, 17, 1, 5, 6, 7, 8, 9, 10, 11, 3}) {
                float[] clips = Fixtures.clips(batch, frames, batch);
                float[][] ref = Fixtures.reference(stack, clips, batch, frames);
                List<Prediction> a = p.predictBatch(Fixtures.arrays(clips, batch, frames));
                List<Prediction> b =
                        p.predictBatch(
                                Weights.copyOf(arena, clips).asSlice(0, clips.length * 4L),
                                batch,
                                frames);
                assertEquals(batch, a.size());
                for (int i = 0; i < batch; i++) {
                    for (Prediction r : List.of(a.get(i), b.get(i))) {
                        assertArrayEquals(row(ref[1], i, CLASSES), r.logits(), "batch " + batch);
                        assertArrayEquals(
                                last(ref[0], i, frames, width), r.lastHidden().orElseThrow());
                    }
                }
                // the zero-allocation forms
                MemorySegment in = Weights.copyOf(arena, clips).asSlice(0, clips.length * 4L);
                float[] y = new float[batch * CLASSES + 2];
                p.logits(in, batch, frames, y);
                assertArrayEquals(ref[1], Arrays.copyOf(y, batch * CLASSES));
                MemorySegment ys = MemorySegment.ofArray(new float[batch * CLASSES]);
                p.logits(in, batch, frames, ys);
                assertArrayEquals(ref[1], ys.toArray(ValueLayout.JAVA_FLOAT));
                MemorySegment seq = Weights.floats(arena, (long) batch * frames * width);
                p.hidden(in, batch, frames, seq);
                assertArrayEquals(ref[0], Weights.toArray(seq, 0, batch * frames * width));
                MemorySegment lastOut = MemorySegment.ofArray(new float[batch * width]);
                p.lastHidden(MemorySegment.ofArray(clips), batch, frames, lastOut);
                for (int i = 0; i < batch; i++)
                    assertArrayEquals(
                            last(ref[0], i, frames, width),
                            row(lastOut.toArray(ValueLayout.JAVA_FLOAT), i, width));
            }
            // shorter clips after longer ones, in the same buffers
            float[] shorter = Fixtures.clips(3, 2, 99);
            float[][] ref = Fixtures.reference(stack, shorter, 3, 2);
            List<Prediction> r = p.predictBatch(Fixtures.arrays(shorter, 3, 2));
            for (int i = 0; i < 3; i++)
                assertArrayEquals(row(ref[1], i, CLASSES), r.get(i).logits());
        }
    }

    @Test
    void aPredictionsProbabilitiesTopAndLabelsAgreeWithItsLogits() {
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.single(arena, true), List.of("cat", "dog", "eel"));
                Predictor p = model.newPredictor()) {
            Prediction r = p.predict(Fixtures.clips(1, 3, 5), 3);
            float[] z = r.logits(), prob = r.probabilities();
            double sum = 0, norm = 0;
            for (int k = 0; k < CLASSES; k++) {
                sum += prob[k];
                norm += Math.exp(z[k]);
            }
            assertEquals(1, sum, 1e-6);
            for (int k = 0; k < CLASSES; k++) assertEquals(Math.exp(z[k]) / norm, prob[k], 1e-6);
            int top = 0;
            for (int k = 1; k < CLASSES; k++) if (z[k] > z[top]) top = k;
            assertEquals(top, r.top());
            assertEquals(List.of("cat", "dog", "eel").get(top), r.label());
            List<ScoredLabel> best = r.top(10); // clamped to C
            assertEquals(CLASSES, best.size());
            assertEquals(top, best.get(0).index());
            for (int i = 1; i < best.size(); i++)
                assertTrue(best.get(i - 1).probability() >= best.get(i).probability());
            assertEquals(prob[top], best.get(0).probability());
            assertThrows(IllegalArgumentException.class, () -> r.top(0));
            Prediction again = model.prediction(r.logits()); // logits computed elsewhere
            assertEquals(r.top(3), again.top(3));
            assertThrows(IllegalArgumentException.class, () -> model.prediction(new float[2]));
            assertTrue(r.lastHidden().isEmpty(), "not asked for");
            z[0] = 99; // logits() is a copy
            assertFalse(r.logits()[0] == 99);
        }
    }

    @Test
    void wrongSizedClipsAreRefusedNamingWhatWasExpected() {
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.single(arena, true), List.of());
                Predictor p = model.newPredictor()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.predict(new float[][] {new float[INPUT], new float[7]}));
            assertTrue(
                    e.getMessage().contains("frame 1 has 7 values, expected N_x = 90"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[100], 2));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "clip array holds 100 values, expected frames x N_x = 2 x 90 = 180"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.predict(FloatBuffer.allocate(179), 2));
            assertTrue(
                    e.getMessage().contains("clip buffer (from its position) holds 179 values"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.predict(MemorySegment.ofArray(new float[181]), 2));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "724 bytes, expected batch x frames x N_x = 1 x 2 x 90 floats = 720 bytes"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[0], 0));
            e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[0][]));
            assertTrue(e.getMessage().contains("frames 0: expected at least 1"), e.getMessage());
            float[][][] ragged = {new float[2][INPUT], new float[3][INPUT]};
            e = assertThrows(IllegalArgumentException.class, () -> p.predictBatch(ragged));
            assertTrue(e.getMessage().contains("clip 1 has 3 frames, expected 2"), e.getMessage());
            float[] out = new float[5];
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.logits(MemorySegment.ofArray(new float[2 * INPUT]), 2, 1, out));
            assertTrue(e.getMessage().contains("expected at least batch x C = 6"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteFrameIsRejectedNamingClipFrameAndIndexAndTheOutputIsUntouched() {
        int frames = 3, batch = 4;
        try (Arena arena = Arena.ofShared()) {
            LstmStack stack = Fixtures.bidirectional(arena, true);
            float[] clips = Fixtures.clips(batch, frames, 3);
            clips[(2 * frames + 1) * INPUT + 17] = Float.NaN;
            try (Model model = Model.of(stack, List.of());
                    Predictor p = model.newPredictor()) {
                float[] out = new float[batch * CLASSES];
                Arrays.fill(out, 42);
                NonFiniteInputException e =
                        assertThrows(
                                NonFiniteInputException.class,
                                () -> p.logits(MemorySegment.ofArray(clips), batch, frames, out));
                assertEquals(2, e.clip());
                assertEquals(1, e.frame());
                assertEquals(17, e.index());
                assertTrue(
                        e.getMessage()
                                .startsWith("clip 2, frame 1: non-finite value NaN at index 17"),
                        e.getMessage());
                for (float v : out) assertEquals(42, v, "nothing written");
                e =
                        assertThrows(
                                NonFiniteInputException.class,
                                () -> p.predictBatch(Fixtures.arrays(clips, batch, frames)));
                assertEquals(2, e.clip());
                // and the predictor keeps working
                assertEquals(
                        CLASSES, p.predict(Fixtures.clips(1, frames, 4), frames).logits().length);
            }
            try (Model model =
                            Model.of(
                                    stack,
                                    List.of(),
                                    Model.Options.DEFAULT.withNonFinite(Lstm.NonFinite.PROPAGATE));
                    Predictor p = model.newPredictor()) {
                List<Prediction> r = p.predictBatch(Fixtures.arrays(clips, batch, frames));
                assertTrue(Float.isNaN(r.get(2).logits()[0]), "propagated");
                assertTrue(Float.isFinite(r.get(0).logits()[0]), "its neighbours are not touched");
            }
        }
    }

    @Test
    void aModelWithoutAHeadGivesHiddenStatesAndRefusesClasses() {
        int frames = 3;
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.bidirectional(arena, false), List.of());
                Predictor p = model.newPredictor()) {
            float[] clip = Fixtures.clips(1, frames, 8);
            Prediction r = p.predict(clip, frames);
            float[][] ref = Fixtures.reference(model.stack(), clip, 1, frames);
            assertArrayEquals(
                    last(ref[0], 0, frames, model.outputSize()), r.lastHidden().orElseThrow());
            assertFalse(r.hasLogits());
            for (Runnable asked :
                    List.<Runnable>of(
                            r::logits, r::probabilities, r::top, r::label, () -> r.top(2))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, asked::run);
                assertTrue(e.getMessage().contains("has no head"), e.getMessage());
            }
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () -> p.logits(MemorySegment.ofArray(clip), 1, frames, new float[9]));
            assertTrue(e.getMessage().contains("in-memory model has no head"), e.getMessage());
            assertEquals(List.of(), model.labels());
        }
    }

    @Test
    void aFixedPredictorRefusesLargerBatchesAndLongerClips() {
        try (Arena arena = Arena.ofShared();
                Model model = Model.of(Fixtures.single(arena, true), List.of());
                Predictor p = model.newPredictor(4, 3)) {
            p.predictBatch(Fixtures.arrays(Fixtures.clips(4, 3, 1), 4, 3));
            p.predict(Fixtures.clips(1, 2, 1), 2);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.predictBatch(Fixtures.arrays(Fixtures.clips(5, 3, 1), 5, 3)));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "a batch of 5 clips of 3 frames: this predictor was made for at most 4 clips of at most 3 frames"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> p.predict(Fixtures.clips(1, 4, 1), 4));
            assertTrue(e.getMessage().contains("at most 3 frames"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.newPredictor(0, 3));
        }
    }

    @Test
    void aClosedPredictorOrModelAndAnotherThreadAreRefused() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Model model = Model.of(Fixtures.single(arena, true), List.of());
            Predictor p = model.newPredictor();
            float[] clip = Fixtures.clips(1, 2, 1);
            AtomicReference<Throwable> other = new AtomicReference<>();
            Thread t =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        try {
                                            p.predict(clip, 2);
                                        } catch (Throwable e) {
                                            other.set(e);
                                        }
                                    });
            t.join();
            assertTrue(other.get() instanceof IllegalStateException, String.valueOf(other.get()));
            assertTrue(
                    other.get().getMessage().contains("make one per thread"),
                    other.get().getMessage());
            p.predict(clip, 2);
            p.close();
            p.close(); // idempotent
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> p.predict(clip, 2));
            assertTrue(e.getMessage().contains("predictor is closed"), e.getMessage());
            Predictor q = model.newPredictor();
            model.close();
            model.close(); // idempotent
            e = assertThrows(IllegalStateException.class, () -> q.predict(clip, 2));
            assertEquals("model in-memory model is closed", e.getMessage());
            e = assertThrows(IllegalStateException.class, model::newPredictor);
            assertEquals("model in-memory model is closed", e.getMessage());
            q.close();
        }
    }
}
