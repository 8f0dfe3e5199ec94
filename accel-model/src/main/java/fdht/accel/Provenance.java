package fdht.accel;

import java.util.Locale;

/**
 * Where a config value comes from: {@code sourced} (a publication says so; the note cites it),
 * {@code fitted} (chosen so the model meets a published figure; the note says which) or {@code
 * assumed} (our engineering guess; the note says why). Written in a config file as {@code
 * key.source = sourced: Deng et al., ISCA 2019}.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record Provenance(Kind kind, String note) {
    public enum Kind {
        SOURCED,
        FITTED,
        ASSUMED
    }

    /** Parses {@code "kind: note"}; {@code where} names the entry in the error. */
    static Provenance parse(String text, String where) {
        int colon = text.indexOf(':');
        String k = (colon < 0 ? text : text.substring(0, colon)).strip().toUpperCase(Locale.ROOT);
        try {
            return new Provenance(
                    Kind.valueOf(k), colon < 0 ? "" : text.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + " = '" + text + "' must start with sourced:, fitted: or assumed:");
        }
    }

    public String mark() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
