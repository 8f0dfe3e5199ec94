package fdht.spark;

import fdht.layout.io.ModelFileException;
import java.io.IOException;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Names a model file the way executors find and cache it: the path the driver saw, the file's size
 * and its CRC-32C. Computing a reference reads the whole file once (a few KB for an FDHT model, a
 * few MB with a dense {@code W_h}). An executor that finds a file of another checksum under that
 * path refuses it, so a model changed between two jobs is never mistaken for the cached one.
 * Immutable and serializable: it is what a task carries instead of the weights.
 */
public record ModelRef(String path, long size, long crc32c) implements Serializable {
    /** The reference of the file at {@code path}, as it is now. */
    public static ModelRef of(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        return new ModelRef(abs.toString(), sizeOf(abs), checksum(abs));
    }

    /** The file's name without its directories: what {@code spark-submit --files} ships it as. */
    public String fileName() {
        return Path.of(path).getFileName().toString();
    }

    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, null, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** CRC-32C of the whole file, read through a mapping. */
    static long checksum(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                Arena arena = Arena.ofConfined()) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            CRC32C crc = new CRC32C();
            for (long at = 0; at < data.byteSize(); at += 1 << 24) {
                ByteBuffer chunk =
                        data.asSlice(at, Math.min(1 << 24, data.byteSize() - at)).asByteBuffer();
                crc.update(chunk);
            }
            return crc.getValue();
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, null, "no such file");
        } catch (IOException e) {
            throw new ModelFileException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }
}
