package fdht.accel;

import java.util.Arrays;

/**
 * Which models the two chips run. {@link #PUBLISHED} (the default): FDHT runs its one HT tensor
 * over {@code [x ; h]}, TIE runs TT-LSTM as published (TT on {@code W_x} with the published factors
 * and ranks, plus a dense {@code W_h} stage). {@link #SAME_FORMAT}: TIE runs a TT over {@code [x ;
 * h]} with FDHT's own factors and ranks, a model nobody published, kept because it isolates the two
 * formats and dataflows.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public enum Variant {
    PUBLISHED("published"),
    SAME_FORMAT("same-format");

    private final String key;

    Variant(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Variant of(String key) {
        for (Variant v : values()) if (v.key.equals(key)) return v;
        throw new IllegalArgumentException(
                "variant '"
                        + key
                        + "' must be one of "
                        + Arrays.stream(values()).map(Variant::key).toList());
    }
}
