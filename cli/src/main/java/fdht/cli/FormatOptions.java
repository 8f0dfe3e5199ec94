package fdht.cli;

import fdht.kernels.format.FormatSpecException;
import fdht.kernels.format.LayerFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The command line's side of a layer format's specification: which option gave each part (the
 * library's messages say what is wrong, this says where it came from), and the format keys for help
 * texts ({@code ${COMPLETION-CANDIDATES}}), so they list every format the library knows.
 */
final class FormatOptions {
    private FormatOptions() {}

    /** {@code convert}'s and {@code train}'s options, by the part of a specification they give. */
    static final Map<FormatSpecException.Part, String> OPTIONS =
            Map.of(
                    FormatSpecException.Part.KEY, "--format",
                    FormatSpecException.Part.RANKS, "--ranks",
                    FormatSpecException.Part.ORDER, "--order",
                    FormatSpecException.Part.ROW_FACTORS, "--row-factors",
                    FormatSpecException.Part.COLUMN_FACTORS, "--col-factors",
                    FormatSpecException.Part.TREE, "--tree");

    /**
     * {@code spec.get()}, a {@link FormatSpecException} from it prefixed with the option that gave
     * the part it is about (and {@code where}, when not empty, after it).
     */
    static <T> T named(String where, Supplier<T> spec) {
        try {
            return spec.get();
        } catch (FormatSpecException e) {
            throw new IllegalArgumentException(
                    OPTIONS.get(e.part()) + ": " + where + e.getMessage(), e);
        }
    }

    /** Every format key, for {@code train --format}'s help. */
    static final class AllKeys implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return LayerFormat.KEYS.iterator();
        }
    }

    /** The keys of the formats a dense layer is compressed into, for {@code convert --format}. */
    static final class PlannedKeys implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return LayerFormat.PLANNED_KEYS.iterator();
        }
    }
}
