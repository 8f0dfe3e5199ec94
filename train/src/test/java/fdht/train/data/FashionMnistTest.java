package fdht.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.layout.io.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir Path dir;

    @Test
    void loadsASplitAndChecksItsFiles() throws IOException {
        FashionMnist s = IdxFixtures.synthetic(Split.TEST, 12);
        byte[] px = new byte[12 * FashionMnist.PIXELS], labels = new byte[12];
        for (int i = 0; i < 12; i++) {
            labels[i] = (byte) s.label(i);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) px[i * 784 + y * 28 + x] = (byte) s.pixel(i, x, y);
        }
        IdxFixtures.writeSplit(dir, Split.TEST, px, labels, 28);
        FashionMnist back = FashionMnist.load(dir, Split.TEST);
        assertEquals(12, back.count());
        assertEquals(Split.TEST, back.split());
        assertEquals(s.pixel(7, 3, 20), back.pixel(7, 3, 20));
        assertEquals(7, back.label(7));

        ModelFileException e =
                assertThrows(ModelFileException.class, () -> FashionMnist.load(dir, Split.TRAIN));
        assertTrue(
                e.getMessage().contains("train-images-idx3-ubyte.gz")
                        && e.getMessage().contains("apt-get install -y dataset-fashion-mnist"),
                e.getMessage());

        IdxFixtures.writeSplit(dir, Split.TEST, px, new byte[11], 28);
        e = assertThrows(ModelFileException.class, () -> FashionMnist.load(dir, Split.TEST));
        assertTrue(e.getMessage().contains("11 labels for 12 images"), e.getMessage());

        labels[5] = 10;
        IdxFixtures.writeSplit(dir, Split.TEST, px, labels, 28);
        e = assertThrows(ModelFileException.class, () -> FashionMnist.load(dir, Split.TEST));
        assertTrue(
                e.getMessage().contains("t10k-labels-idx1-ubyte.gz")
                        && e.getMessage().contains("label 10 of image 5"),
                e.getMessage());

        IdxFixtures.writeSplit(dir, Split.TEST, new byte[2 * 27 * 27], new byte[2], 27);
        e = assertThrows(ModelFileException.class, () -> FashionMnist.load(dir, Split.TEST));
        assertTrue(e.getMessage().contains("27x27, not 28x28"), e.getMessage());
    }

    @Test
    void installedDataSetHasTheKnownSizesAndBalancedClasses() {
        assumeTrue(
                Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY),
                "dataset-fashion-mnist is not installed");
        for (Split split : Split.values()) {
            FashionMnist f = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY, split);
            assertEquals(split == Split.TRAIN ? 60_000 : 10_000, f.count());
            int[] perClass = new int[10];
            for (int i = 0; i < f.count(); i++) perClass[f.label(i)]++;
            for (int c = 0; c < 10; c++)
                assertEquals(
                        f.count() / 10,
                        perClass[c],
                        "class " + c); // Fashion-MNIST is exactly balanced
        }
    }
}
