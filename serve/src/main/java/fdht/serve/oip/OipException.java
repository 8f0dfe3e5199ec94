package fdht.serve.oip;

/**
 * A request the server answers with an error: the HTTP status and the message that goes into the
 * protocol's {@code {"error": "..."}} body. Immutable.
 */
public final class OipException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /**
     * An error answer.
     *
     * @param status 400 (bad request), 404 (unknown model), 413 (too large), 429 (a limit is
     *     reached: retry later), 503 (not ready, shutting down or timed out)
     * @param message what was wrong and what was expected
     */
    public OipException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /**
     * The HTTP status.
     *
     * @return 400, 404, 413, 429 or 503
     */
    public int status() {
        return status;
    }
}
