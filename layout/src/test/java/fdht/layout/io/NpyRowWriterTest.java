package fdht.layout.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocks written out of order from several threads read back as one array of the right shape. */
class NpyRowWriterTest {
    @TempDir Path dir;

    @Test
    void blocksInAnyOrderFromSeveralThreadsMakeOneArray() throws Exception {
        int rows = 1001, width = 3 * 5;
        float[] all = new float[rows * width];
        for (int i = 0; i < all.length; i++) all[i] = i * 0.5f - 7;
        Path p = dir.resolve("a.npy");
        try (NpyRowWriter w = new NpyRowWriter(p, new long[] {3, 5})) {
            Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++) {
                int me = t;
                threads[t] =
                        Thread.ofPlatform()
                                .start(
                                        () -> {
                                            for (int first = 100 * (9 - me);
                                                    first >= 0;
                                                    first -= 300) { // backwards, interleaved
                                                int n = Math.min(100, rows - first);
                                                w.write(
                                                        first,
                                                        n,
                                                        MemorySegment.ofArray(all)
                                                                .asSlice(
                                                                        (long) first * width * 4,
                                                                        (long) n * width * 4));
                                            }
                                        });
            }
            for (Thread t : threads) t.join();
            w.write(1000, 1, MemorySegment.ofArray(all).asSlice(1000L * width * 4));
            w.finish(rows);
        }
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array a = NpyFile.read(p, arena);
            assertArrayEquals(new long[] {rows, 3, 5}, a.shape());
            assertArrayEquals(all, a.data().toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(0, NpyFile.header(p).dataStart() % 64, "data 64-byte aligned");
        }
    }

    @Test
    void aOneDimensionalArrayAndAnEmptyOne() throws Exception {
        Path p = dir.resolve("v.npy"), e = dir.resolve("e.npy");
        try (NpyRowWriter w = new NpyRowWriter(p, new long[0])) {
            w.write(0, 4, MemorySegment.ofArray(new float[] {1, 2, 3, 4}));
            w.finish(4);
        }
        try (NpyRowWriter w = new NpyRowWriter(e, new long[] {40})) {
            w.finish(0);
        }
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new long[] {4}, NpyFile.read(p, arena).shape());
            assertArrayEquals(new long[] {0, 40}, NpyFile.read(e, arena).shape());
        }
        String header = Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals('\n', header.charAt((int) NpyFile.header(p).dataStart() - 1));
        try (NpyRowWriter w = new NpyRowWriter(p, new long[] {2})) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> w.write(0, 2, MemorySegment.ofArray(new float[3])));
        }
    }
}
