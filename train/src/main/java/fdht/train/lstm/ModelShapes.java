package fdht.train.lstm;

import fdht.layout.ColumnFactorization;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;
import java.util.Locale;

/**
 * The weight format of a model to train from command-line words: {@code fdht}, {@code ht-input},
 * {@code tt} or {@code dense}, and ranks ({@code R} for all nodes or bonds, or one per HT node / TT
 * bond, comma-separated). Order 4 throughout; rows {@code 4H} split as {@code convert} splits them
 * (gates in the first factor); columns by {@link ColumnFactorization#cheapest} over {@code [x ; h]}
 * ({@code N_x} alone for ht-input), exact when possible. Stateless.
 */
public final class ModelShapes {
    static final int ORDER = 4;

    private ModelShapes() {}

    public static TrainableLstm.Kind kind(String format, String ranks, int inputSize, int hidden) {
        String f = format.strip().toLowerCase(Locale.ROOT);
        if (f.equals("dense")) return new TrainableLstm.Kind.Dense();
        int[] r = parseRanks(ranks);
        int[] m = ColumnFactorization.exact(hidden, ORDER);
        m[0] *= 4;
        return switch (f) {
            case "fdht" ->
                    new TrainableLstm.Kind.Fdht(ht(m, columns(inputSize + hidden, m, r[0]), r));
            case "ht-input" ->
                    new TrainableLstm.Kind.HtInput(ht(m, columns(inputSize, m, r[0]), r));
            case "tt" -> {
                int[] n = columns(inputSize + hidden, m, r[0]);
                if (r.length == 1) yield new TrainableLstm.Kind.Tt(TtFormat.uniform(m, n, r[0]));
                if (r.length != ORDER - 1)
                    throw new IllegalArgumentException(
                            "--ranks: a TT of order "
                                    + ORDER
                                    + " has "
                                    + (ORDER - 1)
                                    + " inner bonds, got "
                                    + r.length
                                    + " ranks");
                int[] bonds = new int[ORDER + 1];
                bonds[0] = 1;
                bonds[ORDER] = 1;
                System.arraycopy(r, 0, bonds, 1, ORDER - 1);
                yield new TrainableLstm.Kind.Tt(new TtFormat(m, n, bonds));
            }
            default ->
                    throw new IllegalArgumentException(
                            "--format " + format + ": expected fdht, ht-input, tt or dense");
        };
    }

    private static HtFormat ht(int[] m, int[] n, int[] r) {
        if (r.length == 1) return HtFormat.uniform(m, n, r[0]);
        DimensionTree tree = DimensionTree.balanced(ORDER);
        if (r.length != tree.nodeCount())
            throw new IllegalArgumentException(
                    "--ranks: "
                            + tree.nodeCount()
                            + " per-node ranks needed (root last, 1), got "
                            + r.length);
        return new HtFormat(m, n, tree, r);
    }

    private static int[] columns(int cols, int[] m, int rank) {
        double[][] tries = {{0.0, 32, 3}, {0.06, 32, 3}, {0.25, 64, 8}, {1.0, 1 << 12, 1 << 12}};
        for (double[] t : tries) {
            try {
                return ColumnFactorization.cheapest(cols, m, rank, t[0], (int) t[1], t[2]);
            } catch (IllegalArgumentException e) {
                // a looser search next
            }
        }
        throw new IllegalArgumentException(
                "no " + m.length + " column factors cover " + cols + " columns");
    }

    static int[] parseRanks(String ranks) {
        try {
            int[] r =
                    Arrays.stream(ranks.split(","))
                            .mapToInt(s -> Integer.parseInt(s.strip()))
                            .toArray();
            for (int v : r) if (v < 1) throw new NumberFormatException();
            return r;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--ranks "
                            + ranks
                            + ": expected a positive number or a comma-separated list of them");
        }
    }
}
