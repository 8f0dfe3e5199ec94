package fdht.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VectorConstants#offHeap}, the narrowing every vector kernel applies to its segments:
 * native and memory-mapped segments (model files) pass unchanged, heap segments are refused by
 * name.
 */
class OffHeapTest {
    @BeforeEach
    void vectorKernelsInUse() {
        assumeTrue(
                KernelProvider.kernels().name().startsWith("vector"),
                "the vector kernels are not in use in this run");
    }

    @Test
    void nativeAndMappedSegmentsPassUnchanged(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("f.bin"), new byte[64]);
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file)) {
            MemorySegment allocated = arena.allocate(64, 64);
            assertSame(allocated, VectorConstants.offHeap(allocated));
            MemorySegment slice = allocated.asSlice(16);
            assertSame(slice, VectorConstants.offHeap(slice));
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, 64, arena);
            assertSame(mapped, VectorConstants.offHeap(mapped));
            assertSame(MemorySegment.NULL, VectorConstants.offHeap(MemorySegment.NULL));
        }
    }

    @Test
    void heapSegmentsAreRefusedByName() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> VectorConstants.offHeap(MemorySegment.ofArray(new float[16])));
        assertTrue(e.getMessage().contains("native segments"), e.getMessage());
    }
}
