package fdht.layout.io;

import java.nio.file.Path;

/**
 * The one exception fdht throws for a model, clip, data-set or output file it cannot use: missing,
 * truncated, malformed or hostile. The message names the file and, where one is involved, the
 * tensor. Unchecked, so parsing code stays linear; callers that load untrusted files catch it.
 *
 * <p>Thread safety: Immutable.
 */
public final class ModelFileException extends RuntimeException {
    private final transient Path file;
    private final String tensor;

    public ModelFileException(Path file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
        this.file = file;
        this.tensor = tensor;
    }

    public ModelFileException(Path file, String tensor, String problem, Throwable cause) {
        this(file, tensor, problem);
        initCause(cause);
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or null when the problem is the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
