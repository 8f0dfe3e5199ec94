package fdht.layout.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that it appears whole or not at all: the content goes to a temporary file beside
 * the target, which is renamed over it only when complete; on failure the temporary file is removed
 * and a {@link ModelFileException} names the target. Stateless: safe from any thread.
 */
public final class AtomicFile {
    /** Writes the content to a stream. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    public static void write(Path target, Body body) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp =
                dir.resolve(
                        "."
                                + target.getFileName()
                                + "."
                                + Long.toHexString(System.nanoTime())
                                + ".tmp");
        boolean done = false;
        try {
            try (OutputStream out =
                    Files.newOutputStream(
                            tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new ModelFileException(target, null, "cannot write: " + e.getMessage(), e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
        }
    }
}
