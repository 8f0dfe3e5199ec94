package fdht.accel;

import fdht.kernels.format.LayerFormat;
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

    /**
     * The variant in which TIE runs the trained model {@code tie}: TT-LSTM as published ({@code
     * tt-input}) the published one, a TT over {@code [x ; h]} ({@code tt}) the same-format one.
     * Another format is refused: TIE runs TT.
     */
    public static Variant running(LayerFormat.Planned tie) {
        return switch (tie) {
            case LayerFormat.TtInput t -> PUBLISHED;
            case LayerFormat.Tt t -> SAME_FORMAT;
            default ->
                    throw new IllegalArgumentException(
                            "TIE runs a TT model: kind "
                                    + LayerFormat.TtInput.KEY
                                    + " (TT-LSTM as published, the published variant) or "
                                    + LayerFormat.Tt.KEY
                                    + " (a TT over [x;h], the same-format variant), not "
                                    + tie.key());
        };
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
