package fdht.kernels.format;

/**
 * A layer format's specification that does not fit: an unknown key, rank words that do not parse or
 * do not match the matrix, factors or a tree that do not fit the layer. The message says what is
 * wrong; {@link #part()} says which part of the specification, so a command line can name the
 * option that gave it.
 */
public final class FormatSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The part of a specification a message is about. */
    public enum Part {
        KEY,
        RANKS,
        ORDER,
        ROW_FACTORS,
        COLUMN_FACTORS,
        TREE
    }

    private final Part part;

    public FormatSpecException(Part part, String message) {
        super(message);
        this.part = part;
    }

    public FormatSpecException(Part part, String message, Throwable cause) {
        super(message, cause);
        this.part = part;
    }

    public Part part() {
        return part;
    }
}
