package fdht.kernels.format;

import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;

/** The checks every planned {@link LayerFormat} case makes of its matrix. Stateless. */
final class Shape {
    private Shape() {}

    /**
     * Checks that {@code matrix} is a gate matrix ({@code 4H} rows) covering {@code N_x + H}
     * columns ({@code coversHidden}) or {@code N_x}; {@code key} names the format in messages.
     */
    static void requireFits(String key, MatrixFormat matrix, int inputSize, boolean coversHidden) {
        int rows = matrix.rows();
        if (rows % 4 != 0 || rows < 4)
            throw new IllegalArgumentException(
                    key
                            + " matrix has "
                            + rows
                            + " rows but 4H (4 gates x H units) must be a positive multiple of 4");
        if (inputSize < 1)
            throw new IllegalArgumentException("input size " + inputSize + " must be at least 1");
        long need = (long) inputSize + (coversHidden ? rows / 4 : 0);
        if (matrix.cols() < need)
            throw new IllegalArgumentException(
                    key
                            + " matrix has "
                            + matrix.cols()
                            + " columns but "
                            + (coversHidden ? "[x ; h] needs N_x + H = " : "x needs N_x = ")
                            + need);
    }

    /** {@code m} as the HT format a {@code key} layer holds. */
    static HtFormat ht(String key, MatrixFormat m) {
        if (m instanceof HtFormat f) return f;
        throw new IllegalArgumentException(
                "a " + key + " layer holds an HT matrix, not " + m.kind() + " (" + m + ")");
    }

    /** {@code m} as the TT format a {@code key} layer holds. */
    static TtFormat tt(String key, MatrixFormat m) {
        if (m instanceof TtFormat f) return f;
        throw new IllegalArgumentException(
                "a " + key + " layer holds a TT matrix, not " + m.kind() + " (" + m + ")");
    }
}
