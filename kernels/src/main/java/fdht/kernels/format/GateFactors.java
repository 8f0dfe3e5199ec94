package fdht.kernels.format;

import fdht.layout.ColumnFactorization;
import fdht.layout.DimensionTree;
import java.util.Arrays;

/**
 * How the row and column factors and the tree of an LSTM gate matrix {@code 4H x columns} are
 * chosen: each given, or by default. Rows: {@code H} split evenly into {@code order} factors, the
 * first times the 4 gates (16x4x4x4 for H = 256). Columns: the cheapest balanced factors ({@link
 * ColumnFactorization#cheapest}) under {@link #PADDING}, {@link #MAX_FACTOR} and {@link
 * #MAX_RATIO}, an exact factorisation first when {@code exactColumnsFirst} (training's choice: no
 * padding weights to train); small layers that cannot be balanced so are tried with looser bounds,
 * in order, until one fits, and the tiniest get {@code 2 x .. x 2 x k}. Tree: balanced. Given
 * factors are checked against the matrix and named when they do not fit.
 *
 * <p>Costs tens of milliseconds for d = 4. Immutable (the arrays are copied) and thread-safe.
 *
 * @param order the number of factors when the rows are not given (2..8)
 * @param rowFactors the row factors, or null for the default
 * @param colFactors the column factors, or null to choose per matrix
 * @param tree the dimension tree, or null for the balanced one
 * @param exactColumnsFirst whether an exact column factorisation is preferred to a cheaper padded
 *     one
 */
public record GateFactors(
        int order,
        int[] rowFactors,
        int[] colFactors,
        DimensionTree tree,
        boolean exactColumnsFirst) {
    /** Zero-padding allowed, relative to the columns: 6%. */
    public static final double PADDING = 0.06;

    /** Largest column factor. */
    public static final int MAX_FACTOR = 32;

    /** Largest factor over smallest factor. */
    public static final double MAX_RATIO = 3;

    /**
     * The looser searches, in order, when nothing fits the defaults: {padding, max factor, max
     * ratio}.
     */
    private static final double[][] FALLBACKS = {{0.25, 64, 8}, {1.0, 1 << 12, 1 << 12}};

    /** What {@code fdht train} takes: order 4, every default, exact columns first. */
    public static final GateFactors TRAINING = new GateFactors(4, null, null, null, true);

    public GateFactors {
        int d = rowFactors != null ? rowFactors.length : order;
        if (d < DimensionTree.MIN_ORDER || d > DimensionTree.MAX_ORDER)
            throw new FormatSpecException(
                    rowFactors != null
                            ? FormatSpecException.Part.ROW_FACTORS
                            : FormatSpecException.Part.ORDER,
                    "order "
                            + d
                            + " is outside "
                            + DimensionTree.MIN_ORDER
                            + ".."
                            + DimensionTree.MAX_ORDER);
        rowFactors = rowFactors == null ? null : rowFactors.clone();
        colFactors = colFactors == null ? null : colFactors.clone();
        if (colFactors != null && colFactors.length != d)
            throw new FormatSpecException(
                    FormatSpecException.Part.COLUMN_FACTORS,
                    "column factors "
                            + Arrays.toString(colFactors)
                            + " are "
                            + colFactors.length
                            + ", but there are "
                            + d
                            + " row factors");
        if (tree != null && tree.order() != d)
            throw new FormatSpecException(
                    FormatSpecException.Part.TREE,
                    "tree " + tree + " has order " + tree.order() + ", not " + d);
    }

    /**
     * What {@code fdht train} takes: row and column factors given as text ({@code "16,4,4,4"}, or
     * empty for the default), the order theirs (4 when neither is given), exact columns first.
     */
    public static GateFactors training(String rowFactors, String colFactors) {
        int[] m = factors(rowFactors, FormatSpecException.Part.ROW_FACTORS),
                n = factors(colFactors, FormatSpecException.Part.COLUMN_FACTORS);
        int order = m != null ? m.length : n != null ? n.length : TRAINING.order();
        return new GateFactors(order, m, n, null, true);
    }

    /** Comma-separated positive whole numbers, or null for empty text. */
    private static int[] factors(String text, FormatSpecException.Part part) {
        if (text == null || text.isBlank()) return null;
        try {
            int[] f =
                    Arrays.stream(text.split(","))
                            .mapToInt(t -> Integer.parseInt(t.strip()))
                            .toArray();
            for (int v : f) if (v < 1) throw new NumberFormatException();
            return f;
        } catch (NumberFormatException e) {
            throw new FormatSpecException(
                    part,
                    "factors '" + text + "' are not positive whole numbers separated by commas");
        }
    }

    /** Every factor by default, order {@code order}, the cheapest columns (what convert takes). */
    public static GateFactors defaults(int order) {
        return new GateFactors(order, null, null, null, false);
    }

    @Override
    public int[] rowFactors() {
        return rowFactors == null ? null : rowFactors.clone();
    }

    @Override
    public int[] colFactors() {
        return colFactors == null ? null : colFactors.clone();
    }

    /** The row factors of a layer of hidden size {@code hidden}: given (product 4H) or default. */
    public int[] rowsFor(int hidden) {
        if (rowFactors == null) return rows(hidden, order);
        long p = product(rowFactors);
        if (p != 4L * hidden)
            throw new FormatSpecException(
                    FormatSpecException.Part.ROW_FACTORS,
                    "row factors "
                            + Arrays.toString(rowFactors)
                            + " multiply to "
                            + p
                            + ", not 4H = "
                            + 4L * hidden
                            + " (H = "
                            + hidden
                            + ")");
        return rowFactors.clone();
    }

    /**
     * The column factors covering {@code cols} columns for these row factors, planned for rank
     * {@code rank}: given (product at least {@code cols}) or chosen.
     */
    public int[] columnsFor(int cols, int[] rows, int rank) {
        if (colFactors == null) {
            if (exactColumnsFirst) {
                try {
                    return ColumnFactorization.cheapest(cols, rows, rank, 0, MAX_FACTOR, MAX_RATIO);
                } catch (IllegalArgumentException e) {
                    // no exact factorisation within the bounds: the padded searches
                }
            }
            return columns(cols, rows, rank);
        }
        long p = product(colFactors);
        if (p < cols)
            throw new FormatSpecException(
                    FormatSpecException.Part.COLUMN_FACTORS,
                    "column factors "
                            + Arrays.toString(colFactors)
                            + " multiply to "
                            + p
                            + ", fewer than the "
                            + cols
                            + " columns to cover");
        return colFactors.clone();
    }

    /** The tree over the {@code d} modes of {@link #rowsFor}'s factors: given, or balanced. */
    public DimensionTree treeFor(int d) {
        return tree == null ? DimensionTree.balanced(d) : tree;
    }

    /**
     * {@code H} split evenly into {@code d} factors, the first times the 4 gates (gate-major rows).
     */
    public static int[] rows(int hidden, int d) {
        int[] f = ColumnFactorization.exact(hidden, d);
        f[0] *= 4;
        return f;
    }

    /**
     * The cheapest balanced column factors covering {@code cols} for these row factors at uniform
     * {@code rank}, the defaults first.
     */
    public static int[] columns(int cols, int[] rowFactors, int rank) {
        try {
            return ColumnFactorization.cheapest(
                    cols, rowFactors, rank, PADDING, MAX_FACTOR, MAX_RATIO);
        } catch (IllegalArgumentException e) {
            // small layers cannot be balanced within 6%: loosen
        }
        for (double[] t : FALLBACKS) {
            try {
                return ColumnFactorization.cheapest(cols, rowFactors, rank, t[0], (int) t[1], t[2]);
            } catch (IllegalArgumentException e) {
                // try the next, looser search
            }
        }
        // tiny layers (N_x + H below 2^d, say): 2 x .. x 2 x k, whatever the padding
        int d = rowFactors.length;
        int[] f = new int[d];
        Arrays.fill(f, 2);
        long rest = 1L << (d - 1);
        f[d - 1] = (int) Math.max(2, (cols + rest - 1) / rest);
        return f;
    }

    private static long product(int[] f) {
        long p = 1;
        for (int x : f) p *= x;
        return p;
    }
}
