package fdht.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes a directory (a Parquet data set, say) so that it appears whole or not at all: the writer
 * fills a temporary directory beside the target, which is renamed to the target only when the
 * writer returned; on failure the temporary directory is removed. The directory counterpart of
 * {@link fdht.layout.io.AtomicFile}. Replacing an existing target takes two renames (old out of the
 * way, new in), so a crash between them leaves the old one under a hidden name beside it.
 * Stateless: safe from any thread (two writers of one target: the last rename wins).
 */
final class AtomicDirectory {
    private AtomicDirectory() {}

    static void write(Path target, boolean replace, Consumer<Path> writer) {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String stamp = Long.toHexString(System.nanoTime());
        Path tmp = dir.resolve("." + abs.getFileName() + "." + stamp + ".tmp");
        if (Files.exists(abs) && !replace)
            throw new IllegalArgumentException(target + " exists (use --force to replace it)");
        boolean done = false;
        try {
            writer.accept(tmp);
            if (!Files.isDirectory(tmp))
                throw new IllegalStateException("the writer left no directory at " + tmp);
            if (Files.exists(abs)) {
                Path old = dir.resolve("." + abs.getFileName() + "." + stamp + ".old");
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            }
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (!done) deleteTree(tmp);
        }
    }

    /**
     * Removes a directory tree if it exists; failures to remove are ignored (the original failure
     * matters more).
     */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException ignored) {
                                    // best effort
                                }
                            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
