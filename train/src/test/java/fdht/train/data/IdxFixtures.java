package fdht.train.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Test data: IDX files and small synthetic Fashion-MNIST splits whose images can be told apart. */
final class IdxFixtures {
    private IdxFixtures() {}

    /** The bytes of an IDX file: magic {@code 0 0 type rank}, big-endian dims, data. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(bytes)) {
                z.write(raw);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code n} images whose every pixel is non-zero (so the item's extent is visible on the black
     * canvas) and whose values have the given parity (train even, test odd: clips of the two splits
     * can be told apart by any pixel); image {@code i} has class {@code i % 10}.
     */
    static FashionMnist synthetic(Split split, int n) {
        byte[] px = new byte[n * FashionMnist.PIXELS];
        byte[] labels = new byte[n];
        int parity = split == Split.TRAIN ? 0 : 1;
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % FashionMnist.CLASSES);
            for (int p = 0; p < FashionMnist.PIXELS; p++) {
                int v = 2 + 2 * ((i * 37 + p * 11) % 126) + parity; // 2..253, never 0
                px[i * FashionMnist.PIXELS + p] = (byte) v;
            }
        }
        return new FashionMnist(split, px, labels);
    }

    /** Writes a split as the gzip IDX pair the loader expects under {@code dir}. */
    static void writeSplit(Path dir, Split split, byte[] pixels, byte[] labels, int side)
            throws IOException {
        int n = labels.length;
        Files.write(
                dir.resolve(split.filePrefix() + "-images-idx3-ubyte.gz"),
                gzip(idx(0x08, new int[] {pixels.length / (side * side), side, side}, pixels)));
        Files.write(
                dir.resolve(split.filePrefix() + "-labels-idx1-ubyte.gz"),
                gzip(idx(0x08, new int[] {n}, labels)));
    }
}
