package fdht.layout.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Writes a file so that it appears whole or not at all: the content goes to a temporary file beside
 * the target, which is renamed over it only when complete; on failure the temporary file is removed
 * and a {@link ModelFileException} names the target (a missing directory is named before the
 * content is asked for). One output of {@link AtomicOutputs}, which commits several together.
 * Stateless: safe from any thread.
 */
public final class AtomicFile {
    /** Writes the content to a stream. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    public static void write(Path target, Body body) {
        try (AtomicOutputs outputs = new AtomicOutputs()) {
            outputs.file(target);
            outputs.write(target, body);
            outputs.commit();
        }
    }
}
