package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 load-and-close cycles of a model file leave native memory (resident set), the heap and
 * open file descriptors flat: every mapping is released with its arena. Would fail on a leaked
 * mapping, channel or arena. Linux only (it reads /proc/self).
 */
class LifetimeTest {
    static final int CYCLES = 100_000;

    @Test
    void loadAndCloseCyclesLeaveMemoryAndFilesFlat(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc (Linux)");
        Path model = dir.resolve("m.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.write(
                    Lstm.fdht(
                            HtMatrix.random(
                                    HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2),
                                    1,
                                    arena),
                            10,
                            new float[8],
                            arena),
                    model);
        }
        for (int i = 0; i < 20_000; i++)
            cycle(model); // warm up: JIT, class loading, the heap's young generation touched
        long rss0 = rssKb(),
                fds0 = openFiles(),
                heap0 = heapAfterGc(),
                committed0 = committedHeapKb();
        for (int i = 0; i < CYCLES; i++) cycle(model);
        long rss1 = rssKb(),
                fds1 = openFiles(),
                heap1 = heapAfterGc(),
                committed1 = committedHeapKb();
        assertTrue(fds1 - fds0 <= 2, "open files grew from " + fds0 + " to " + fds1);
        // resident memory outside the Java heap: mappings, arenas, native buffers
        long nativeGrowth = (rss1 - rss0) - Math.max(0, committed1 - committed0);
        assertTrue(
                nativeGrowth < 32 * 1024,
                "resident memory outside the heap grew by "
                        + nativeGrowth
                        + " KB over "
                        + CYCLES
                        + " cycles");
        assertTrue(
                heap1 - heap0 < 16L << 20, "heap after GC grew by " + (heap1 - heap0) + " bytes");
    }

    private static void cycle(Path model) {
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.read(model, arena);
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long committedHeapKb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
