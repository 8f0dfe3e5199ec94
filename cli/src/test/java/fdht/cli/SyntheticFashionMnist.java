package fdht.cli;

import fdht.train.data.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * A small synthetic Fashion-MNIST for the CLI tests (so they need no installed data set): gzipped
 * IDX files as the real set is installed, labels {@code i % 10}, under {@code dir/fashion}, with
 * the {@code fdht.fashionMnist} property pointing there until {@link #close}, which restores it.
 * Not thread-safe: it sets a system property, so tests using it must not run concurrently.
 */
final class SyntheticFashionMnist implements AutoCloseable {
    private static final String PROPERTY = "fdht.fashionMnist";

    private final Path images;
    private final String saved;

    /**
     * Writes {@code train} training and {@code test} test images and points {@code
     * fdht.fashionMnist} at them.
     */
    SyntheticFashionMnist(Path dir, int train, int test) throws IOException {
        images = Files.createDirectories(dir.resolve("fashion"));
        for (Split s : Split.values()) {
            int n = s == Split.TRAIN ? train : test;
            byte[] px = new byte[n * 784], labels = new byte[n];
            for (int i = 0; i < px.length; i++)
                px[i] = (byte) (1 + (i * 7 + (s == Split.TRAIN ? 0 : 3)) % 250);
            for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
            gzipIdx(
                    images.resolve(s.filePrefix() + "-images-idx3-ubyte.gz"),
                    new int[] {n, 28, 28},
                    px);
            gzipIdx(
                    images.resolve(s.filePrefix() + "-labels-idx1-ubyte.gz"),
                    new int[] {n},
                    labels);
        }
        saved = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, images.toString());
    }

    /** The directory holding the IDX files. */
    Path images() {
        return images;
    }

    private static void gzipIdx(Path p, int[] dims, byte[] data) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4 + 4 * dims.length);
        head.put((byte) 0)
                .put((byte) 0)
                .put((byte) 8)
                .put((byte) dims.length); // magic: unsigned bytes, dims.length dimensions
        for (int d : dims) head.putInt(d);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(head.array());
            o.write(data);
        }
    }

    @Override
    public void close() {
        if (saved == null) System.clearProperty(PROPERTY);
        else System.setProperty(PROPERTY, saved);
    }
}
