package fdht.kernels;

import fdht.layout.LanePlan;
import java.util.Locale;
import java.util.function.Function;

/**
 * The measurement switches of the kernels, read once: {@link KernelProvider#options()} holds the
 * ones the JVM was started with ({@code -Dfdht.vectorBits}, {@code -Dfdht.rowLanes}, {@code
 * -Dfdht.laneBatches}, {@code -Dfdht.laneMaxWaste}); benchmarks and tests that compare one
 * execution path with another pass their own to the workspaces ({@code
 * KernelProvider.options().withRowLanes(false)}) instead of setting properties. Production code
 * never reads the properties itself.
 *
 * <p>Thread safety: Immutable; thread-safe.
 *
 * @param vectorBits the vector width asked for: {@link #PREFERRED_WIDTH} (the CPU's preferred), 0
 *     (scalar kernels), 128, 256 or 512; read by the provider at class initialisation only (the
 *     species is a JVM-wide constant)
 * @param rowLanes whether a plan may run one row at a time in the lane layout with lanes from its
 *     row axes ({@link ExecutionPath#ROW_LANES}); false: row-major only
 * @param laneBatches whether whole chunks of batch rows may run with the batch as the lanes ({@link
 *     ExecutionPath#BATCH_LANES})
 * @param laneMaxWaste the most work, padding and transposes included, a row lane layout may do
 *     relative to the plan's multiply-adds ({@link LanePlan#MAX_WASTE} by default; infinity takes
 *     every plan)
 */
public record KernelOptions(
        int vectorBits, boolean rowLanes, boolean laneBatches, double laneMaxWaste) {
    /** {@link #vectorBits} when no width was asked for: the CPU's preferred one. */
    public static final int PREFERRED_WIDTH = -1;

    /** Every switch at its default: the paths production runs. */
    public static final KernelOptions DEFAULTS =
            new KernelOptions(PREFERRED_WIDTH, true, true, LanePlan.MAX_WASTE);

    /**
     * @throws IllegalArgumentException naming the switch when a value is out of range
     */
    public KernelOptions {
        if (vectorBits != PREFERRED_WIDTH
                && vectorBits != 0
                && vectorBits != 128
                && vectorBits != 256
                && vectorBits != 512)
            throw new IllegalArgumentException(
                    "vectorBits "
                            + vectorBits
                            + ": expected 128, 256 or 512 (0 = scalar, -1 = the CPU's preferred)");
        if (!(laneMaxWaste >= 1))
            throw new IllegalArgumentException(
                    "laneMaxWaste " + laneMaxWaste + ": expected a number >= 1 (or Infinity)");
    }

    /** The switches as the JVM's system properties set them; strict (see {@link #parse}). */
    public static KernelOptions fromSystemProperties() {
        return parse(System::getProperty);
    }

    /**
     * The switches from {@code property} (a property name to its value, null when unset), each
     * unset one at its default. Strict: a value that is not one of the switch's words is refused,
     * not read as its default.
     *
     * @throws IllegalArgumentException naming the property, its value and what was expected
     */
    public static KernelOptions parse(Function<String, String> property) {
        return new KernelOptions(
                vectorBits(property.apply("fdht.vectorBits")),
                flag(property, "fdht.rowLanes", DEFAULTS.rowLanes),
                flag(property, "fdht.laneBatches", DEFAULTS.laneBatches),
                maxWaste(property.apply("fdht.laneMaxWaste")));
    }

    /** These options with {@link #rowLanes} set. */
    public KernelOptions withRowLanes(boolean on) {
        return new KernelOptions(vectorBits, on, laneBatches, laneMaxWaste);
    }

    /** These options with {@link #laneBatches} set. */
    public KernelOptions withLaneBatches(boolean on) {
        return new KernelOptions(vectorBits, rowLanes, on, laneMaxWaste);
    }

    /** These options with {@link #laneMaxWaste} set. */
    public KernelOptions withLaneMaxWaste(double maxWaste) {
        return new KernelOptions(vectorBits, rowLanes, laneBatches, maxWaste);
    }

    /**
     * {@code fdht.vectorBits}: {@link #PREFERRED_WIDTH} when unset, 0 for scalar, else 128, 256 or
     * 512. Anything else, a word included, is refused.
     */
    static int vectorBits(String value) {
        if (value == null || value.isBlank()) return PREFERRED_WIDTH;
        int bits;
        try {
            bits = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            bits = Integer.MIN_VALUE;
        }
        if (bits != 0 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(
                    "fdht.vectorBits="
                            + value
                            + ": expected 128, 256 or 512 (0 = scalar); widths below 128 are refused");
        }
        return bits;
    }

    private static boolean flag(Function<String, String> property, String name, boolean unset) {
        String value = property.apply(name);
        if (value == null || value.isBlank()) return unset;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new IllegalArgumentException(
                            name + "=" + value + ": expected true or false");
        };
    }

    private static double maxWaste(String value) {
        if (value == null || value.isBlank()) return DEFAULTS.laneMaxWaste;
        double w;
        try {
            w = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            w = Double.NaN;
        }
        if (!(w >= 1))
            throw new IllegalArgumentException(
                    "fdht.laneMaxWaste=" + value + ": expected a number >= 1 (or Infinity)");
        return w;
    }
}
