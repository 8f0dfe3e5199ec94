package fdht.accel;

import fdht.layout.ContractionPlan;
import fdht.layout.banks.BankedLayout;
import java.util.Arrays;

/**
 * How an accelerator moves an intermediate from the stage that writes it to the stage that reads it
 * in another (permuted) order, the config key {@code layout}:
 *
 * <ul>
 *   <li>{@link #SKEWED}: the conflict-free skewed bank mapping, the transformation done on the fly
 *       (the FDHT paper's claim, our reconstruction of it);
 *   <li>{@link #ROW_MAJOR}: the next stage reads through a plain row-major banked memory and every
 *       bank conflict stalls it (the naive contrast);
 *   <li>{@link #EXTRA_PASS}: each intermediate is written back row-major and transformed by one
 *       more pass that re-reads and re-writes it ({@code words / banks} cycles, one read and one
 *       write per word), after which the next stage reads it in order.
 * </ul>
 *
 * {@link #banked} is the one factory of the banked memory for the cycle and functional models.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public enum MemoryLayout {
    SKEWED("skewed"),
    ROW_MAJOR("row-major"),
    EXTRA_PASS("extra-pass");

    private final String key;

    MemoryLayout(String key) {
        this.key = key;
    }

    /** The name used in config files and reports. */
    public String key() {
        return key;
    }

    /** The layout named {@code key} in a config file. */
    public static MemoryLayout of(String key) {
        for (MemoryLayout l : values()) if (l.key.equals(key)) return l;
        throw new IllegalArgumentException(
                "layout '"
                        + key
                        + "' must be one of "
                        + Arrays.stream(values()).map(MemoryLayout::key).toList());
    }

    /**
     * The banked memory of {@code plan}: the skewed mapping, or row-major (also the storage of
     * {@link #EXTRA_PASS}, whose pass then rewrites each intermediate in its reader's order).
     * Building the skewed layout costs {@code O(E log B)} per boundary.
     */
    public BankedLayout banked(ContractionPlan plan, int banks) {
        return this == SKEWED
                ? BankedLayout.skewed(plan, banks)
                : BankedLayout.rowMajor(plan, banks);
    }
}
