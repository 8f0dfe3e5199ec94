package fdht.layout;

import java.lang.foreign.Arena;

/**
 * Columns {@code [from, to)} of an HT matrix as a smaller HT matrix over their mixed-radix
 * bounding box: mode {@code k} keeps the column indices {@code [lo_k, lo_k + n'_k)}.
 * {@link #boxIndex(int)} says where column {@code j} lands in the box's input vector; box
 * positions no column maps to must hold zero. Immutable.
 *
 * @param matrix the restricted matrix, {@code M x prod n'_k}
 * @param lo     first kept index per mode
 * @param from   first column (inclusive) of the parent
 * @param to     last column (exclusive) of the parent
 */
public record ColumnWindow(HtMatrix matrix, int[] lo, int from, int to, int[] parentColFactors) {

    static ColumnWindow of(HtMatrix parent, int from, int to, Arena arena) {
        HtFormat f = parent.format();
        int d = f.order();
        if (from < 0 || to > f.cols() || from >= to) {
            throw new IllegalArgumentException("column range [" + from + ", " + to + ") is not inside [0, " + f.cols() + ")");
        }
        int[] n = f.colFactors();
        int[] first = digits(from, n);
        int[] last = digits(to - 1, n);
        int[] lo = new int[d];
        int[] size = new int[d];
        boolean spread = false; // once a mode spans several values, every later mode is taken whole
        for (int k = 0; k < d; k++) {
            if (spread) {
                lo[k] = 0;
                size[k] = n[k];
            } else {
                lo[k] = first[k];
                size[k] = last[k] - first[k] + 1;
                spread = size[k] > 1;
            }
        }
        HtFormat rf = f.withColFactors(size);
        DimensionTree tree = f.tree();
        float[][] nodes = parent.toArrays();
        for (int k = 0; k < d; k++) {
            int m = f.rowFactor(k), r = f.rank(k);
            float[] sliced = new float[m * size[k] * r];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < size[k]; j++)
                    for (int a = 0; a < r; a++)
                        sliced[(i * size[k] + j) * r + a] = parent.leaf(k, i, lo[k] + j, a);
            nodes[k] = sliced;
        }
        assert tree.nodeCount() == nodes.length;
        return new ColumnWindow(HtMatrix.of(rf, nodes, arena), lo, from, to, n);
    }

    private static int[] digits(int j, int[] radix) {
        int[] out = new int[radix.length];
        for (int k = radix.length - 1; k >= 0; k--) {
            out[k] = j % radix[k];
            j /= radix[k];
        }
        return out;
    }

    /** Position in the box's input vector of parent column {@code j}, {@code from <= j < to}. */
    public int boxIndex(int j) {
        if (j < from || j >= to) throw new IllegalArgumentException("column " + j + " is outside [" + from + ", " + to + ")");
        int[] dj = digits(j, parentColFactors);
        int idx = 0;
        for (int k = 0; k < dj.length; k++) idx = idx * matrix.format().colFactor(k) + (dj[k] - lo[k]);
        return idx;
    }

    /** Width of the box's input vector. */
    public int boxWidth() { return matrix.format().cols(); }
}
