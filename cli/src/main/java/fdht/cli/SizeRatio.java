package fdht.cli;

/**
 * How a compressed model's size compares with its dense original, in words: "3.5x smaller" or "2.7x
 * larger". Stateless.
 */
final class SizeRatio {
    private SizeRatio() {}

    static String of(long compressed, long dense) {
        if (compressed <= 0 || dense <= 0) return "no ratio";
        if (compressed == dense) return "the same size";
        return compressed < dense
                ? String.format("%,.1fx smaller", (double) dense / compressed)
                : String.format("%,.1fx larger", (double) compressed / dense);
    }
}
