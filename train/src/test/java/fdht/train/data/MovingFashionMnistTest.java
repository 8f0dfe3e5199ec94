package fdht.train.data;

import static fdht.train.data.MovingFashionMnist.CANVAS;
import static fdht.train.data.MovingFashionMnist.FRAMES;
import static fdht.train.data.MovingFashionMnist.FRAME_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class MovingFashionMnistTest {
    private static final FashionMnist TRAIN = IdxFixtures.synthetic(Split.TRAIN, 500);
    private static final FashionMnist TEST = IdxFixtures.synthetic(Split.TEST, 300);

    /**
     * The obviously correct twin: pixel (x, y) of frame k is the item's pixel if the item covers
     * it, else 0.
     */
    private static float[] reference(FashionMnist images, MovingFashionMnist.Motion m) {
        float[] clip = new float[FRAMES * FRAME_SIZE];
        for (int k = 0; k < FRAMES; k++) {
            for (int y = 0; y < CANVAS; y++) {
                for (int x = 0; x < CANVAS; x++) {
                    int u = x - m.x(k), v = y - m.y(k);
                    boolean covered = u >= 0 && u < 28 && v >= 0 && v < 28;
                    clip[k * FRAME_SIZE + y * CANVAS + x] =
                            covered ? images.pixel(m.image(), u, v) / 255f : 0f;
                }
            }
        }
        return clip;
    }

    /** The move {dx, dy} of one frame in direction {@code d} at speed {@code s}, as specified. */
    static int[] step(int d, int s) {
        return switch (d) {
            case 0 -> new int[] {s, 0};
            case 1 -> new int[] {-s, 0};
            case 2 -> new int[] {0, s};
            default -> new int[] {0, -s};
        };
    }

    private static float[] clip(MemorySegment clips, int slot) {
        float[] c = new float[FRAMES * FRAME_SIZE];
        MemorySegment.copy(
                clips,
                ValueLayout.JAVA_FLOAT,
                (long) slot * c.length * Float.BYTES,
                c,
                0,
                c.length);
        return c;
    }

    @Test
    void clipsAreTheReferenceRenderingOfTheirMotion() {
        MovingFashionMnist g = new MovingFashionMnist(TRAIN, 7);
        try (Arena arena = Arena.ofConfined()) {
            ClipBatch b = g.materialise(0, 40, arena);
            for (int j = 0; j < 40; j++) {
                MovingFashionMnist.Motion m = g.motion(j);
                assertArrayEquals(reference(TRAIN, m), clip(b.clips(), j), "clip " + j + " " + m);
                assertEquals(m.label(), b.labels()[j]);
                assertEquals(4 * TRAIN.label(m.image()) + m.direction(), m.label());
            }
        }
    }

    @Test
    void motionIsAsSpecifiedAndTheItemStaysInside() {
        MovingFashionMnist g = new MovingFashionMnist(TEST, 3);
        // per (direction, speed): the starts seen along the motion axis, and the other coordinates
        // seen
        int[][] minStart = new int[4][4], maxStart = new int[4][4];
        for (int[] r : minStart) Arrays.fill(r, Integer.MAX_VALUE);
        BitSet others = new BitSet();
        int[] perDirection = new int[4], perSpeed = new int[4];
        for (long i = 0; i < 20_000; i++) {
            MovingFashionMnist.Motion m = g.motion(i);
            int d = m.direction(), s = m.speed();
            assertTrue(d >= 0 && d < 4 && s >= 1 && s <= 3, m.toString());
            perDirection[d]++;
            perSpeed[s]++;
            for (int k = 0; k < FRAMES; k++) {
                assertTrue(
                        m.x(k) >= 0 && m.x(k) <= 36 && m.y(k) >= 0 && m.y(k) <= 36,
                        "item leaves the canvas: " + m + " frame " + k);
                if (k > 0) {
                    int dx = m.x(k) - m.x(k - 1), dy = m.y(k) - m.y(k - 1);
                    assertArrayEquals(step(d, s), new int[] {dx, dy}, m.toString());
                }
            }
            int start = d < 2 ? m.x0() : m.y0();
            minStart[d][s] = Math.min(minStart[d][s], start);
            maxStart[d][s] = Math.max(maxStart[d][s], start);
            others.set(d < 2 ? m.y0() : m.x0());
        }
        // every admissible start is used and no other: [0, 36 - 7s] forward, [7s, 36] backward
        for (int d = 0; d < 4; d++) {
            for (int s = 1; s <= 3; s++) {
                boolean forward = d % 2 == 0;
                assertEquals(forward ? 0 : 7 * s, minStart[d][s], "d " + d + " s " + s);
                assertEquals(forward ? 36 - 7 * s : 36, maxStart[d][s], "d " + d + " s " + s);
            }
        }
        assertEquals(37, others.cardinality());
        assertEquals(36, others.length() - 1);
        for (int d = 0; d < 4; d++)
            assertEquals(
                    5000, perDirection[d], 5 * Math.sqrt(20_000 * 0.25 * 0.75), "direction " + d);
        for (int s = 1; s <= 3; s++)
            assertEquals(20_000 / 3.0, perSpeed[s], 5 * Math.sqrt(20_000 * 2 / 9.0), "speed " + s);
    }

    @Test
    void eachFrameIsThePreviousShiftedBySpeedInDirection() {
        MovingFashionMnist g = new MovingFashionMnist(TRAIN, 11);
        try (Arena arena = Arena.ofConfined()) {
            ClipBatch b = g.materialise(100, 24, arena);
            for (int j = 0; j < 24; j++) {
                MovingFashionMnist.Motion m = g.motion(100 + j);
                int sx = m.x(1) - m.x(0), sy = m.y(1) - m.y(0);
                float[] c = clip(b.clips(), j);
                for (int k = 0; k + 1 < FRAMES; k++) {
                    for (int y = 0; y < CANVAS; y++) {
                        for (int x = 0; x < CANVAS; x++) {
                            int px = x - sx,
                                    py = y - sy; // where this pixel of frame k+1 was in frame k
                            float before =
                                    px >= 0 && px < CANVAS && py >= 0 && py < CANVAS
                                            ? c[k * FRAME_SIZE + py * CANVAS + px]
                                            : 0f;
                            assertEquals(
                                    before,
                                    c[(k + 1) * FRAME_SIZE + y * CANVAS + x],
                                    "clip " + j + " frame " + (k + 1) + " (" + x + ", " + y + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void labelsAreInRangeAndBalanced() {
        MovingFashionMnist g = new MovingFashionMnist(TRAIN, 1);
        int n = 40_000;
        int[] perLabel = new int[40];
        for (long i = 0; i < n; i++) {
            int l = g.label(i);
            assertTrue(l >= 0 && l < 40, "label " + l);
            perLabel[l]++;
        }
        double expect = n / 40.0, sd = Math.sqrt(n * (1 / 40.0) * (39 / 40.0));
        for (int l = 0; l < 40; l++) assertEquals(expect, perLabel[l], 5 * sd, "label " + l);
    }

    @Test
    void aClipDependsOnlyOnSplitSeedAndIndex() {
        MovingFashionMnist g = new MovingFashionMnist(TRAIN, 42),
                again = new MovingFashionMnist(TRAIN, 42),
                other = new MovingFashionMnist(TRAIN, 43);
        try (Arena arena = Arena.ofConfined()) {
            ClipBatch all = g.materialise(0, 12, arena);
            ClipBatch part = again.materialise(5, 4, arena);
            for (int j = 0; j < 4; j++) {
                assertArrayEquals(
                        clip(all.clips(), 5 + j),
                        clip(part.clips(), j),
                        "clip " + (5 + j) + " whatever the range it is made in");
                assertEquals(all.labels()[5 + j], part.labels()[j]);
            }
            MemorySegment shuffled = arena.allocate(3L * FRAMES * FRAME_SIZE * Float.BYTES);
            int[] labels = new int[3];
            g.fill(new long[] {99, 11, 3, 0}, 1, 3, shuffled, labels);
            assertArrayEquals(clip(all.clips(), 11), clip(shuffled, 0));
            assertArrayEquals(clip(all.clips(), 0), clip(shuffled, 2));
            assertArrayEquals(
                    new int[] {all.labels()[11], all.labels()[3], all.labels()[0]}, labels);
            // a heap buffer gets the same clips as a native one
            MemorySegment heap = MemorySegment.ofArray(new float[FRAMES * FRAME_SIZE]);
            g.fill(7, 1, heap, null);
            assertArrayEquals(clip(all.clips(), 7), clip(heap, 0));
        }
        int differ = 0;
        for (long i = 0; i < 100; i++) if (!g.motion(i).equals(other.motion(i))) differ++;
        assertTrue(differ > 90, "another seed gives other clips: " + differ + " of 100 differ");
    }

    @Test
    void eachCycleOfNClipsShowsEveryImageOnceInAFreshOrder() {
        MovingFashionMnist g = new MovingFashionMnist(TEST, 5);
        int n = TEST.count();
        int[] first = new int[n], second = new int[n];
        BitSet seen = new BitSet(), seen2 = new BitSet();
        for (int i = 0; i < n; i++) {
            first[i] = g.motion(i).image();
            second[i] = g.motion(n + i).image();
            seen.set(first[i]);
            seen2.set(second[i]);
        }
        assertEquals(n, seen.cardinality());
        assertEquals(n, seen2.cardinality());
        assertFalse(Arrays.equals(first, second), "cycles are ordered differently");
        // the permutation itself, on awkward sizes including the full train split
        for (int size : new int[] {1, 2, 3, 17, 1024, 1025, 60_000}) {
            BitSet hit = new BitSet(size);
            for (int i = 0; i < size; i++) {
                int p = MovingFashionMnist.permute(i, size, 12345L + size);
                assertTrue(p >= 0 && p < size);
                hit.set(p);
            }
            assertEquals(size, hit.cardinality(), "a bijection of [0, " + size + ")");
        }
    }

    @Test
    void clipsOfASplitUseOnlyItsImages() {
        // train pixels are even, test pixels odd (IdxFixtures): every lit pixel tells its split
        for (FashionMnist images : new FashionMnist[] {TRAIN, TEST}) {
            MovingFashionMnist g = new MovingFashionMnist(images, 9);
            try (Arena arena = Arena.ofConfined()) {
                ClipBatch b = g.materialise(0, 64, arena);
                MemorySegment c = b.clips();
                long lit = 0;
                for (long e = 0; e < 64L * FRAMES * FRAME_SIZE; e++) {
                    float v = c.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    if (v == 0) continue;
                    int grey = Math.round(v * 255);
                    assertEquals(
                            images.split() == Split.TRAIN ? 0 : 1,
                            grey % 2,
                            "pixel " + e + " of a " + images.split() + " clip");
                    lit++;
                }
                assertEquals(64L * FRAMES * 784, lit, "every item pixel is lit and nothing else");
            }
        }
        assertNotEquals(
                new MovingFashionMnist(TRAIN, 1).motion(0),
                new MovingFashionMnist(TEST, 1).motion(0));
    }

    @Test
    void badBuffersAndIndicesAreRefused() {
        MovingFashionMnist g = new MovingFashionMnist(TEST, 0);
        MemorySegment small = MemorySegment.ofArray(new float[FRAMES * FRAME_SIZE]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> g.fill(0, 2, small, null));
        assertTrue(e.getMessage().contains("2 clips need"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.fill(0, 1, small, new int[0]));
        assertThrows(IndexOutOfBoundsException.class, () -> g.fill(-1, 1, small, null));
        assertThrows(IndexOutOfBoundsException.class, () -> g.motion(-1));
        LabelledClips first10 = g.take(10);
        assertThrows(
                IndexOutOfBoundsException.class,
                () ->
                        first10.fill(
                                9,
                                2,
                                MemorySegment.ofArray(new float[2 * FRAMES * FRAME_SIZE]),
                                null));
    }

    @Test
    void realMfm40TestClipsComeFromTheTestImages() {
        assumeTrue(
                Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY),
                "dataset-fashion-mnist is not installed");
        FashionMnist test = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY, Split.TEST);
        MovingFashionMnist g = new MovingFashionMnist(test, 0);
        try (Arena arena = Arena.ofConfined()) {
            ClipBatch b = g.materialise(0, 16, arena);
            for (int j = 0; j < 16; j++)
                assertArrayEquals(reference(test, g.motion(j)), clip(b.clips(), j), "clip " + j);
        }
        int[] perLabel = new int[40];
        for (long i = 0; i < 10_000; i++) perLabel[g.label(i)]++;
        for (int l = 0; l < 40; l++)
            assertEquals(250, perLabel[l], 5 * Math.sqrt(10_000 / 40.0), "label " + l);
    }
}
