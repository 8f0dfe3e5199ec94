package fdht.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * MFM-40-UCF's clips (240x240, the item scaled 3x, speeds {3, 6, 9}) and the parts of the train
 * split (the validation images, its last tenth, never in the fit part's clips).
 */
class MfmTaskTest {
    private static final FashionMnist TRAIN = IdxFixtures.synthetic(Split.TRAIN, 500);
    private static final int SIDE = 240, FRAME = SIDE * SIDE;

    /**
     * The obviously correct twin at 240x240: pixel (x, y) of frame k is item pixel ((x - x_k) / 3,
     * (y - y_k) / 3) where the 84x84 scaled item covers it, else 0.
     */
    private static float[] reference(FashionMnist images, MovingFashionMnist.Motion m) {
        float[] clip = new float[MovingFashionMnist.FRAMES * FRAME];
        for (int k = 0; k < MovingFashionMnist.FRAMES; k++)
            for (int y = 0; y < SIDE; y++)
                for (int x = 0; x < SIDE; x++) {
                    int u = x - m.x(k), v = y - m.y(k);
                    boolean covered = u >= 0 && u < 84 && v >= 0 && v < 84;
                    clip[k * FRAME + y * SIDE + x] =
                            covered ? images.pixel(m.image(), u / 3, v / 3) / 255f : 0f;
                }
        return clip;
    }

    @Test
    void ucfClipsAreTheScaledItemInsideMovingAtItsSpeed() {
        MovingFashionMnist g = new MovingFashionMnist(MfmTask.MFM_UCF, TRAIN, 5);
        assertEquals(57_600, g.frameSize());
        BitSet speeds = new BitSet(), others = new BitSet();
        for (long i = 0; i < 5_000; i++) {
            MovingFashionMnist.Motion m = g.motion(i);
            int s = m.speed(), d = m.direction();
            speeds.set(s);
            others.set(d < 2 ? m.y0() : m.x0());
            assertEquals(4 * TRAIN.label(m.image()) + d, m.label(), m.toString());
            for (int k = 0; k < MovingFashionMnist.FRAMES; k++) {
                // the 84x84 item wholly inside the 240x240 canvas
                assertTrue(
                        m.x(k) >= 0 && m.x(k) + 84 <= SIDE && m.y(k) >= 0 && m.y(k) + 84 <= SIDE,
                        "item leaves the canvas: " + m + " frame " + k);
                if (k > 0) {
                    int[] step = {m.x(k) - m.x(k - 1), m.y(k) - m.y(k - 1)};
                    assertArrayEquals(MovingFashionMnistTest.step(d, s), step, m.toString());
                }
            }
        }
        assertEquals(BitSet.valueOf(new long[] {(1L << 3) | (1L << 6) | (1L << 9)}), speeds);
        assertEquals(157, others.cardinality(), "the other coordinate takes every value 0..156");
        assertEquals(156, others.length() - 1);
    }

    @Test
    void ucfClipsAreTheReferenceRendering() {
        MovingFashionMnist g = new MovingFashionMnist(MfmTask.MFM_UCF, TRAIN, 5);
        try (Arena arena = Arena.ofConfined()) {
            ClipBatch b = g.materialise(10, 6, arena);
            assertEquals(57_600, b.frameSize());
            float[] got = new float[MovingFashionMnist.FRAMES * FRAME];
            for (int j = 0; j < 6; j++) {
                MemorySegment.copy(
                        b.clips(),
                        ValueLayout.JAVA_FLOAT,
                        (long) j * got.length * Float.BYTES,
                        got,
                        0,
                        got.length);
                MovingFashionMnist.Motion m = g.motion(10 + j);
                assertArrayEquals(reference(TRAIN, m), got, "clip " + (10 + j) + " " + m);
                assertEquals(m.label(), b.labels()[j]);
            }
        }
    }

    @Test
    void ucfClipIShowsMfmClipIsItemDirectionAndSpeedClass() {
        MovingFashionMnist small = new MovingFashionMnist(TRAIN, 9),
                large = new MovingFashionMnist(MfmTask.MFM_UCF, TRAIN, 9);
        for (long i = 0; i < 1000; i++) {
            MovingFashionMnist.Motion a = small.motion(i), b = large.motion(i);
            assertEquals(a.image(), b.image());
            assertEquals(a.label(), b.label());
            assertEquals(3 * a.speed(), b.speed());
        }
    }

    @Test
    void theValidationImagesAreTheLastTenthAndFitClipsNeverShowThem() {
        FashionMnist fit = MfmPart.FIT.images(TRAIN), val = MfmPart.VALIDATION.images(TRAIN);
        assertEquals(450, fit.count());
        assertEquals(50, val.count());
        assertEquals(450, val.first());
        for (int i = 0; i < 50; i++) {
            assertEquals(TRAIN.label(450 + i), val.label(i));
            assertEquals(TRAIN.pixel(450 + i, 14, 3), val.pixel(i, 14, 3));
        }
        MovingFashionMnist fitClips = new MovingFashionMnist(fit, 1),
                valClips = new MovingFashionMnist(val, 1),
                whole = new MovingFashionMnist(TRAIN, 1);
        BitSet fitImages = new BitSet(), valImages = new BitSet();
        for (long i = 0; i < 2000; i++) {
            fitImages.set(fitClips.motion(i).image());
            valImages.set(val.first() + valClips.motion(i).image());
        }
        assertEquals(450, fitImages.cardinality(), "every fit image, none past 449");
        assertEquals(449, fitImages.length() - 1);
        assertEquals(50, valImages.cardinality(), "every validation image");
        assertEquals(450, valImages.nextSetBit(0));
        // parts are keyed apart from the whole split: other motions, not a relabelled copy
        int same = 0;
        for (long i = 0; i < 200; i++) if (fitClips.motion(i).equals(whole.motion(i))) same++;
        assertTrue(same < 20, same + " of 200 fit clips have the whole split's motion");
        assertNotEquals(fitClips.motion(0), valClips.motion(0));
    }

    @Test
    void partsAndTasksParseAndRefuseMisuse() {
        assertEquals(MfmPart.VALIDATION, MfmPart.parse("val"));
        assertEquals(MfmTask.MFM_UCF, MfmTask.parse("MFM-UCF"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> MfmTask.parse("ucf"))
                        .getMessage()
                        .contains("mfm-ucf"));
        assertThrows(IllegalArgumentException.class, () -> MfmPart.parse("validation"));
        assertThrows(
                IllegalArgumentException.class,
                () -> MfmPart.VALIDATION.images(IdxFixtures.synthetic(Split.TEST, 30)));
        assertThrows(
                IllegalArgumentException.class,
                () -> MfmPart.FIT.images(MfmPart.FIT.images(TRAIN)),
                "a part is cut from the whole split only");
    }
}
