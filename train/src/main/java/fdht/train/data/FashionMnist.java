package fdht.train.data;

import fdht.layout.io.ModelFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One split of Fashion-MNIST: {@code count()} 28x28 grey images (0..255) and their classes (0..9),
 * from the IDX files of Debian's {@code dataset-fashion-mnist} ({@code
 * /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz}). Loading
 * checks that the images are 28x28, that labels and images agree in number and that every label is
 * a class; a missing directory names the Debian package that provides it. Cost: the split's images
 * on the heap (47 MB for train, 7.8 MB for test), read once; a {@link #range} of them shares them.
 *
 * <p>Thread safety: Immutable after construction; share it between threads freely.
 */
public final class FashionMnist {
    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;
    public static final int CLASSES = 10;

    /** The classes' names, in label order (the original distribution's). */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /** Debian's package of the data set, and where it puts the files. */
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /**
     * The environment variable (or system property {@code fdht.fashionMnist}) that points
     * elsewhere.
     */
    public static final String DIRECTORY_VARIABLE = "FDHT_FASHION_MNIST";

    /**
     * Bound on the images read: the full train split is 60,000; this leaves room and stops hostile
     * headers.
     */
    public static final int MAX_IMAGES = 1_000_000;

    private final Split split;
    private final byte[] pixels;
    private final byte[] labels;
    private final int first; // image 0 of this set is image `first` of the arrays
    private final int count;

    /**
     * Wraps images given in memory: {@code pixels} is {@code [n][28][28]} unsigned bytes, {@code
     * labels[i]} in 0..9. The arrays are used as they are (not copied): do not change them.
     */
    public FashionMnist(Split split, byte[] pixels, byte[] labels) {
        if (labels.length == 0) throw new IllegalArgumentException("no images");
        if ((long) labels.length * PIXELS != pixels.length) {
            throw new IllegalArgumentException(
                    pixels.length + " pixels are not " + labels.length + " images of 28x28");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= CLASSES)
                throw new IllegalArgumentException(
                        "image " + i + " has label " + (labels[i] & 0xff) + ", not a class 0..9");
        }
        this.split = split;
        this.pixels = pixels;
        this.labels = labels;
        this.first = 0;
        this.count = labels.length;
    }

    private FashionMnist(FashionMnist whole, int first, int count) {
        this.split = whole.split;
        this.pixels = whole.pixels;
        this.labels = whole.labels;
        this.first = whole.first + first;
        this.count = count;
    }

    /**
     * Images {@code from .. to-1} of this set as a set of their own (image {@code i} of it is image
     * {@code from + i} here), sharing the pixels: how the validation images are kept apart from the
     * training ones ({@link MfmPart}).
     */
    public FashionMnist range(int from, int to) {
        if (from < 0 || to > count || from >= to)
            throw new IllegalArgumentException(
                    "images " + from + ".." + (to - 1) + " are not a range of 0.." + (count - 1));
        return new FashionMnist(this, from, to - from);
    }

    /** Where image 0 of this set is in its split's files (0 unless it is a {@link #range}). */
    public int first() {
        return first;
    }

    /** Whether this set is its split's every image, in file order (not a proper {@link #range}). */
    public boolean wholeSplit() {
        return first == 0 && count == labels.length;
    }

    /**
     * The directory named by {@link #DIRECTORY_VARIABLE} (property first, then environment), else
     * Debian's.
     */
    public static Path defaultDirectory() {
        String p = System.getProperty("fdht.fashionMnist");
        if (p == null || p.isBlank()) p = System.getenv(DIRECTORY_VARIABLE);
        return p == null || p.isBlank() ? DEBIAN_DIRECTORY : Path.of(p);
    }

    /** Loads a split from {@link #defaultDirectory()}. */
    public static FashionMnist load(Split split) {
        return load(defaultDirectory(), split);
    }

    /**
     * Loads a split from {@code dir} (the gzip IDX files, named as the original distribution names
     * them).
     */
    public static FashionMnist load(Path dir, Split split) {
        Path images = dir.resolve(split.filePrefix() + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(split.filePrefix() + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            Path missing = Files.isRegularFile(images) ? labels : images;
            throw new ModelFileException(
                    missing,
                    null,
                    "Fashion-MNIST is not installed (install Debian's "
                            + DEBIAN_PACKAGE
                            + ": apt-get install -y "
                            + DEBIAN_PACKAGE
                            + ", or point "
                            + DIRECTORY_VARIABLE
                            + " at a directory of its IDX files)");
        }
        IdxFile.Array im = IdxFile.read(images, 3, (long) MAX_IMAGES * PIXELS);
        if (im.dims()[1] != SIDE || im.dims()[2] != SIDE) {
            throw new ModelFileException(
                    images,
                    null,
                    "images are " + im.dims()[1] + "x" + im.dims()[2] + ", not 28x28");
        }
        IdxFile.Array lb = IdxFile.read(labels, 1, MAX_IMAGES);
        if (lb.dims()[0] != im.dims()[0]) {
            throw new ModelFileException(
                    labels,
                    null,
                    lb.dims()[0]
                            + " labels for "
                            + im.dims()[0]
                            + " images in "
                            + images.getFileName());
        }
        for (int i = 0; i < lb.data().length; i++) {
            if (lb.unsigned(i) >= CLASSES)
                throw new ModelFileException(
                        labels,
                        null,
                        "label " + lb.unsigned(i) + " of image " + i + " is not a class 0..9");
        }
        return new FashionMnist(split, im.data(), lb.data());
    }

    public Split split() {
        return split;
    }

    public int count() {
        return count;
    }

    /** The class (0..9) of image {@code i}. */
    public int label(int i) {
        return labels[index(i)];
    }

    /** Pixel ({@code x}, {@code y}) of image {@code i}, 0..255. */
    public int pixel(int i, int x, int y) {
        return pixels[index(i) * PIXELS + y * SIDE + x] & 0xff;
    }

    /** The offset of image {@code i}'s first pixel in {@link #pixelsView()}. */
    int offset(int i) {
        return index(i) * PIXELS;
    }

    private int index(int i) {
        if (i < 0 || i >= count)
            throw new IndexOutOfBoundsException("image " + i + " outside 0.." + (count - 1));
        return first + i;
    }

    /** The pixel array itself, for the clip renderer (package-private: not to be written). */
    byte[] pixelsView() {
        return pixels;
    }
}
