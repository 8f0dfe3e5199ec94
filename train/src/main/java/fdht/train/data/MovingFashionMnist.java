package fdht.train.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The MFM-40 (Moving-Fashion-MNIST) generator, defined in full in docs/MFM40.md: clip {@code i} is
 * 8 frames of a square canvas (float32 pixel/255, row-major {@code y*side + x}) in which one
 * Fashion-MNIST item moves in a straight line, direction {@code d} in {0:+x, 1:-x, 2:+y, 3:-y},
 * starting uniformly among the positions that keep it wholly inside for all 8 frames, the other
 * coordinate uniform over the positions that keep it inside; its label is {@code 4 * fashion_class
 * + d} (40 classes). The background is 0. The {@link MfmTask} sets the size: MFM-40 is a 64x64
 * canvas, the 28x28 item and speeds {1, 2, 3} pixels a frame (4,096 inputs a frame); MFM-40-UCF a
 * 240x240 canvas, the item scaled 3x by repeating each pixel in a 3x3 block and speeds {3, 6, 9}
 * (57,600 inputs a frame).
 *
 * <p>Clip {@code i} is a pure function of (images, seed, i): its motion comes from a hash of a key
 * and {@code i} (SplitMix64 finaliser; the bounded draws are uniform up to a bias below 2^-60), and
 * its image is {@code perm_c(i mod n)} with {@code n} the image count and {@code perm_c} a keyed
 * pseudo-random permutation of {@code [0, n)} for cycle {@code c = i / n} (a Feistel network with
 * cycle walking). So every run of {@code n} consecutive clips starting at a multiple of {@code n}
 * shows each image exactly once, in a different order and with fresh motions each cycle, and a clip
 * is the same whatever the count, batch or thread that makes it. Clips use only their images: those
 * of a split, or of a part of one ({@link MfmPart}: the validation images are the train split's
 * last tenth, keyed apart).
 *
 * <p>Cost: a clip is 8 x 784 x scale^2 pixel writes plus zeroing it (128 KB; 1.8 MB for
 * MFM-40-UCF); no allocation. Thread safety: immutable; {@link #fill} may run on several threads at
 * once (into different buffers).
 */
public final class MovingFashionMnist {
    public static final int FRAMES = 8;

    /** MFM-40's canvas side; {@link MfmTask#canvas()} for either task. */
    public static final int CANVAS = 64;

    /** MFM-40's inputs per frame; {@link #frameSize()} for either task. */
    public static final int FRAME_SIZE = CANVAS * CANVAS;

    public static final int DIRECTIONS = 4;
    public static final int CLASSES = FashionMnist.CLASSES * DIRECTIONS;

    /** The directions' names, in label order. */
    public static final List<String> DIRECTION_NAMES = List.of("+x", "-x", "+y", "-y");

    /**
     * The 40 classes' names, label {@code 4 * fashion_class + direction} at that index:
     * "T-shirt/top +x", "T-shirt/top -x", ..., "Ankle boot -y" (what {@code fdht train} writes into
     * its models).
     */
    public static final List<String> LABELS = labels();

    private static List<String> labels() {
        List<String> names = new ArrayList<>(CLASSES);
        for (String item : FashionMnist.CLASS_NAMES)
            for (String direction : DIRECTION_NAMES) names.add(item + " " + direction);
        return List.copyOf(names);
    }

    /** Speed classes: speeds are {@code scale x {1, .., MAX_SPEED}}. */
    public static final int MAX_SPEED = 3;

    /** MFM-40's largest top-left coordinate of the item: 64 - 28. */
    public static final int MAX_POSITION = CANVAS - FashionMnist.SIDE;

    private static final int[] DX = {1, -1, 0, 0};
    private static final int[] DY = {0, 0, 1, -1};
    private static final float[] GREY = new float[256];
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    static {
        for (int v = 0; v < 256; v++)
            GREY[v] = v / 255f; // float division: the float32 nearest v/255, as numpy's
    }

    /**
     * The motion of one clip: image {@code image} of the split (class {@code fashionClass}) at
     * top-left ({@code x0}, {@code y0}) in frame 0, moving {@code speed} pixels a frame in
     * direction {@code direction}.
     */
    public record Motion(int image, int fashionClass, int direction, int speed, int x0, int y0) {
        public int label() {
            return DIRECTIONS * fashionClass + direction;
        }

        /** Top-left x in frame {@code k}. */
        public int x(int k) {
            return x0 + DX[direction] * speed * k;
        }

        /** Top-left y in frame {@code k}. */
        public int y(int k) {
            return y0 + DY[direction] * speed * k;
        }
    }

    private final MfmTask task;
    private final FashionMnist images;
    private final long seed;
    private final long key;

    /** MFM-40 clips of {@code images}. */
    public MovingFashionMnist(FashionMnist images, long seed) {
        this(MfmTask.MFM, images, seed);
    }

    /**
     * Clips of {@code task} made from {@code images}: a whole split, or a {@link
     * FashionMnist#range} of one ({@link MfmPart#images}), whose key also mixes in the range.
     */
    public MovingFashionMnist(MfmTask task, FashionMnist images, long seed) {
        this.task = task;
        this.images = images;
        this.seed = seed;
        long whole =
                mix(mix(seed) ^ (images.split() == Split.TRAIN ? 0x5452_4149_4eL : 0x5445_5354L));
        this.key =
                images.wholeSplit()
                        ? whole
                        : mix(whole ^ mix(((long) images.first() << 32) | images.count()));
    }

    /**
     * The MFM-40 generator for {@code split} of the installed Fashion-MNIST ({@link
     * FashionMnist#load(Split)}).
     */
    public static MovingFashionMnist load(Split split, long seed) {
        return new MovingFashionMnist(FashionMnist.load(split), seed);
    }

    /** The generator of {@code task} for {@code part} of the installed Fashion-MNIST. */
    public static MovingFashionMnist load(MfmTask task, MfmPart part, long seed) {
        return new MovingFashionMnist(task, part.images(FashionMnist.load(part.split())), seed);
    }

    public MfmTask task() {
        return task;
    }

    /** Inputs per frame: {@code task().frameSize()}. */
    public int frameSize() {
        return task.frameSize();
    }

    public Split split() {
        return images.split();
    }

    public long seed() {
        return seed;
    }

    public FashionMnist images() {
        return images;
    }

    /** The motion and image of clip {@code index} (any index >= 0). */
    public Motion motion(long index) {
        if (index < 0) throw new IndexOutOfBoundsException("clip index " + index + " is negative");
        int n = images.count();
        int image = permute((int) (index % n), n, mix(key ^ mix(index / n + 1)));
        long clipKey = mix(key + GOLDEN * (index + 1));
        int direction = uniform(clipKey, 1, DIRECTIONS);
        int speed = task.scale() * (1 + uniform(clipKey, 2, MAX_SPEED));
        int travel = (FRAMES - 1) * speed, last = task.maxPosition();
        // starts that keep the item inside for all frames: [0, last - travel] moving forward,
        // [travel, last] moving back (last: 36, or 156 for MFM-40-UCF)
        int start = uniform(clipKey, 3, last - travel + 1) + (direction % 2 == 1 ? travel : 0);
        int other = uniform(clipKey, 4, last + 1);
        boolean alongX = direction < 2;
        return new Motion(
                image,
                images.label(image),
                direction,
                speed,
                alongX ? start : other,
                alongX ? other : start);
    }

    /** The label of clip {@code index}: {@code 4 * fashion_class + direction}. */
    public int label(long index) {
        return motion(index).label();
    }

    /**
     * Writes clips {@code first .. first+n-1} into {@code clips} ({@code [n][8][frameSize]} float32
     * from offset 0, native or heap) and their labels into {@code labels[0..n-1]} (skipped when
     * null).
     */
    public void fill(long first, int n, MemorySegment clips, int[] labels) {
        if (first < 0 || n < 0 || first > Long.MAX_VALUE - n)
            throw new IndexOutOfBoundsException("clips " + first + " .. " + first + " + " + n);
        ClipBuffers.check(n, (long) FRAMES * frameSize(), clips, labels);
        for (int j = 0; j < n; j++) render(first + j, j, clips, labels);
    }

    /**
     * Writes clips {@code indices[from] .. indices[from+n-1]} (any order, e.g. a shuffled epoch)
     * into {@code clips} and {@code labels}, as {@link #fill(long, int, MemorySegment, int[])}.
     */
    public void fill(long[] indices, int from, int n, MemorySegment clips, int[] labels) {
        if (from < 0 || n < 0 || from > indices.length - n)
            throw new IndexOutOfBoundsException(
                    "indices "
                            + from
                            + ".."
                            + (from + n - 1)
                            + " outside an array of "
                            + indices.length);
        ClipBuffers.check(n, (long) FRAMES * frameSize(), clips, labels);
        for (int j = 0; j < n; j++) render(indices[from + j], j, clips, labels);
    }

    /**
     * Clips {@code first .. first+n-1} in a new native segment of {@code arena}: for small {@code
     * n} (128 KB a clip, 1.8 MB for MFM-40-UCF).
     */
    public ClipBatch materialise(long first, int n, Arena arena) {
        return new ClipBatch(n, FRAMES, frameSize(), arena).load(take(first + n), first, n);
    }

    /**
     * The first {@code count} clips as a {@link LabelledClips} set (clip {@code i} of it is clip
     * {@code i} here).
     */
    public LabelledClips take(long count) {
        if (count < 0) throw new IllegalArgumentException("count " + count + " is negative");
        MovingFashionMnist self = this;
        return new LabelledClips() {
            @Override
            public long count() {
                return count;
            }

            @Override
            public int frames() {
                return FRAMES;
            }

            @Override
            public int frameSize() {
                return self.frameSize();
            }

            @Override
            public int classes() {
                return CLASSES;
            }

            @Override
            public List<String> classNames() {
                return LABELS;
            }

            @Override
            public void fill(long first, int n, MemorySegment clips, int[] labels) {
                checkFill(first, n, clips, labels);
                self.fill(first, n, clips, labels);
            }

            @Override
            public String toString() {
                return self.toString() + ", " + count + " clips";
            }
        };
    }

    /** As {@code "MFM-40 test images 0..9999 seed 0"}. */
    @Override
    public String toString() {
        return task.title()
                + " "
                + split().label()
                + " images "
                + images.first()
                + ".."
                + (images.first() + images.count() - 1)
                + " seed "
                + seed;
    }

    /** Renders clip {@code index} into slot {@code slot} of the buffers. */
    private void render(long index, int slot, MemorySegment clips, int[] labels) {
        Motion m = motion(index);
        int side = task.canvas(), scale = task.scale(), frameSize = side * side;
        long clipBase = (long) slot * FRAMES * frameSize;
        clips.asSlice(clipBase * Float.BYTES, (long) FRAMES * frameSize * Float.BYTES)
                .fill((byte) 0);
        byte[] px = images.pixelsView();
        int src = images.offset(m.image());
        for (int k = 0; k < FRAMES; k++) {
            long frameBase = clipBase + (long) k * frameSize;
            int x = m.x(k), y = m.y(k);
            // source pixel (c, r) fills the scale x scale block at (x + scale c, y + scale r)
            for (int r = 0; r < FashionMnist.SIDE; r++) {
                int s = src + r * FashionMnist.SIDE;
                for (int dy = 0; dy < scale; dy++) {
                    long row = frameBase + (long) (y + scale * r + dy) * side + x;
                    for (int c = 0; c < FashionMnist.SIDE; c++) {
                        float v = GREY[px[s + c] & 0xff];
                        for (int dx = 0; dx < scale; dx++)
                            clips.setAtIndex(ValueLayout.JAVA_FLOAT, row + scale * c + dx, v);
                    }
                }
            }
        }
        if (labels != null) labels[slot] = m.label();
    }

    /** Draw {@code draw} of a clip: uniform in {@code [0, bound)} (bias below bound / 2^64). */
    private static int uniform(long clipKey, int draw, int bound) {
        return (int) Long.remainderUnsigned(mix(clipKey + GOLDEN * draw), bound);
    }

    /**
     * A keyed bijection of {@code [0, n)}: a 4-round Feistel network on the smallest domain of
     * 2^(2h) >= n values, applied again while the result falls outside {@code [0, n)} (cycle
     * walking keeps it a bijection; fewer than 4 rounds of walking are expected).
     */
    static int permute(int i, int n, long key) {
        int bits = Math.max(2, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)));
        int half = (bits + 1) / 2;
        int mask = (1 << half) - 1;
        int v = i;
        do {
            int l = v >>> half, r = v & mask;
            for (int round = 0; round < 4; round++) {
                int f = (int) mix(key + GOLDEN * (round + 1) + r) & mask;
                int nl = r;
                r = l ^ f;
                l = nl;
            }
            v = (l << half) | r;
        } while (v >= n);
        return v;
    }

    /** The SplitMix64 finaliser (Steele, Lea, Flood 2014): a strong 64-bit mixer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
