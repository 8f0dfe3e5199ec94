package fdht.kernels.format;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * How one LSTM layer stores its gate matrix {@code W = [W_ih W_hh]} ({@code 4H x (N_x + H)}, gate
 * order i, f, g, o), with its shapes: one case per format, each owning its key (the model file's
 * {@code kind}, the command line's {@code --format}), its matrix and the columns it covers, its
 * planner, parameter count and descriptions. Inference projections, trainables, model files, {@code
 * convert}, {@code train} and {@code inspect} dispatch on this type; {@link #of} is the one place a
 * key is read.
 *
 * <ul>
 *   <li>{@link Planned}: a structured matrix (HT or TT) contracted by a {@link ContractionPlan},
 *       over {@code [x ; h]} ({@link Fdht}, {@link Tt}) or over {@code x} alone beside a dense
 *       {@code W_h} ({@link HtInput}, and {@link TtInput}: TT-LSTM as published, TIE's workload).
 *   <li>{@link Dense}: the plain matrix.
 * </ul>
 *
 * Adding a format is one case here: a class (a planned one extends {@link Planned}), its key in
 * {@link #of} and in {@link #KEYS} (and {@link #PLANNED_KEYS}).
 *
 * <p>Immutable and thread-safe. Planning costs a dynamic programme over the tree (milliseconds).
 */
public sealed interface LayerFormat {
    /** The keys of the planned formats (those a dense layer is compressed into). */
    List<String> PLANNED_KEYS = List.of(Fdht.KEY, HtInput.KEY, Tt.KEY, TtInput.KEY);

    /** Every key, in the order messages list them. */
    List<String> KEYS = List.of(Fdht.KEY, HtInput.KEY, Tt.KEY, TtInput.KEY, Dense.KEY);

    /**
     * Where a key's matrix shape comes from: a model file's metadata, or ranks and factors given in
     * words. {@code columns} is what the matrix must cover: {@code N_x + H} over {@code [x ; h]},
     * {@code N_x} over {@code x} alone.
     */
    interface Shapes {
        HtFormat ht(int columns);

        TtFormat tt(int columns);
    }

    /**
     * The format {@code key} names for a layer of {@code inputSize} inputs and {@code hidden}
     * units, its matrix shape from {@code shapes}.
     */
    static LayerFormat of(String key, int inputSize, int hidden, Shapes shapes) {
        if (inputSize < 1 || hidden < 1)
            throw new IllegalArgumentException(
                    "a layer of N_x = " + inputSize + " inputs and H = " + hidden + " units");
        return switch (key) {
            case Fdht.KEY -> new Fdht(shapes.ht(inputSize + hidden), inputSize);
            case HtInput.KEY -> new HtInput(shapes.ht(inputSize), inputSize);
            case Tt.KEY -> new Tt(shapes.tt(inputSize + hidden), inputSize);
            case TtInput.KEY -> new TtInput(shapes.tt(inputSize), inputSize);
            case Dense.KEY -> new Dense(inputSize, hidden);
            default ->
                    throw new FormatSpecException(
                            FormatSpecException.Part.KEY,
                            "format '" + key + "' is not one of " + String.join(", ", KEYS));
        };
    }

    /**
     * The format {@code key} names with ranks {@code ranks} and factors chosen by {@code factors}
     * (their column factors planned for {@link RankSpec#planningRank}).
     */
    static LayerFormat parse(
            String key, RankSpec ranks, int inputSize, int hidden, GateFactors factors) {
        return of(
                key,
                inputSize,
                hidden,
                new Shapes() {
                    @Override
                    public HtFormat ht(int columns) {
                        int[] m = factors.rowsFor(hidden);
                        int[] n = factors.columnsFor(columns, m, ranks.planningRank());
                        return ranks.ht(m, n, factors.treeFor(m.length));
                    }

                    @Override
                    public TtFormat tt(int columns) {
                        int[] m = factors.rowsFor(hidden);
                        return ranks.tt(m, factors.columnsFor(columns, m, ranks.planningRank()));
                    }
                });
    }

    /** The model file's {@code kind} and the command line's {@code --format}. */
    String key();

    /** A short name for lists of formats: "FDHT", "HT-input", "TT", "TT-input", "dense". */
    String name();

    /** N_x, the width of one input frame. */
    int inputSize();

    /** H, the hidden size. */
    int hiddenSize();

    /** Weights stored for {@code W} (floats; the bias excluded). */
    long parameterCount();

    /** Multiply-adds of {@code W [x ; h]} per batch row and step. */
    long macsPerStep();

    /** One line for reports: format and shapes. */
    String describe();

    /** The shapes alone, one line: the matrix's factors, tree and ranks (what inspect prints). */
    String shapes();

    /**
     * A structured matrix contracted by a plan: over {@code [x ; h ; 0]} when {@link
     * #coversHidden}, else over {@code [x ; 0]} beside a dense {@code W_h} ({@code 4H x H}). A case
     * gives this constructor its {@code Traits} (key, name, the columns it covers, description),
     * its matrix and its planner; the matrix is checked here against {@code 4H} rows and the
     * columns. Equal when key, matrix and {@code N_x} are.
     */
    abstract sealed class Planned implements LayerFormat permits Fdht, HtInput, Tt, TtInput {
        /**
         * What a planned case is: its key, name, whether its matrix covers {@code h}, and its
         * description as a format string of the matrix ({@code %1$s}), {@code 4H} ({@code %2$d})
         * and {@code H} ({@code %3$d}).
         */
        record Traits(String key, String name, boolean coversHidden, String description) {}

        private final Traits traits;
        private final MatrixFormat matrix;
        private final int inputSize;
        private final IntFunction<ContractionPlan> planner;

        Planned(
                Traits traits,
                MatrixFormat matrix,
                int inputSize,
                IntFunction<ContractionPlan> planner) {
            Shape.requireFits(traits.key(), matrix, inputSize, traits.coversHidden());
            this.traits = traits;
            this.matrix = matrix;
            this.inputSize = inputSize;
            this.planner = planner;
        }

        /** The plan a step runs for {@code batch} rows. */
        public final ContractionPlan plan(int batch) {
            return planner.apply(batch);
        }

        /**
         * This format with another matrix shape of the same kind (the ranks a decomposition kept).
         */
        public final Planned withMatrix(MatrixFormat m) {
            return (Planned)
                    of(
                            key(),
                            inputSize,
                            hiddenSize(),
                            new Shapes() {
                                @Override
                                public HtFormat ht(int columns) {
                                    return Shape.ht(key(), m);
                                }

                                @Override
                                public TtFormat tt(int columns) {
                                    return Shape.tt(key(), m);
                                }
                            });
        }

        /** The structured matrix's shape. */
        public final MatrixFormat matrix() {
            return matrix;
        }

        /** Whether the matrix covers {@code h} too (else {@code W_h} is dense). */
        public final boolean coversHidden() {
            return traits.coversHidden();
        }

        @Override
        public final String key() {
            return traits.key();
        }

        @Override
        public final String name() {
            return traits.name();
        }

        @Override
        public final int inputSize() {
            return inputSize;
        }

        @Override
        public final int hiddenSize() {
            return matrix.rows() / 4;
        }

        /** The columns the matrix must cover: {@code N_x + H}, or {@code N_x}. */
        public final int columns() {
            return inputSize + (coversHidden() ? hiddenSize() : 0);
        }

        @Override
        public final long parameterCount() {
            return matrix.parameterCount() + denseHiddenWeights();
        }

        @Override
        public final long macsPerStep() {
            return plan(1).totalMacs() + denseHiddenWeights();
        }

        /** {@code 4H x H} when {@code W_h} is dense, else 0. */
        private long denseHiddenWeights() {
            return coversHidden() ? 0 : 4L * hiddenSize() * hiddenSize();
        }

        @Override
        public final String describe() {
            return String.format(traits.description(), matrix, 4 * hiddenSize(), hiddenSize());
        }

        @Override
        public final String shapes() {
            String m =
                    switch (matrix) {
                        case HtFormat f ->
                                "tree "
                                        + f.tree()
                                        + ", row factors "
                                        + Arrays.toString(f.rowFactors())
                                        + ", column factors "
                                        + Arrays.toString(f.colFactors())
                                        + ", ranks by node "
                                        + Arrays.toString(f.ranks());
                        case TtFormat f -> f.toString();
                    };
            return coversHidden() ? m : m + ", dense W_h " + 4 * hiddenSize() + "x" + hiddenSize();
        }

        @Override
        public final boolean equals(Object o) {
            return o instanceof Planned p
                    && p.key().equals(key())
                    && p.matrix.equals(matrix)
                    && p.inputSize == inputSize;
        }

        @Override
        public final int hashCode() {
            return (key().hashCode() * 31 + matrix.hashCode()) * 31 + inputSize;
        }

        @Override
        public final String toString() {
            return describe();
        }
    }

    /** FDHT-LSTM: one HT matrix over {@code [x ; h ; 0]} ("integrate, then decompose"). */
    final class Fdht extends Planned {
        public static final String KEY = "fdht";
        private static final Planned.Traits TRAITS =
                new Planned.Traits(KEY, "FDHT", true, "FDHT-LSTM, one %1$s");

        public Fdht(HtFormat matrix, int inputSize) {
            super(TRAITS, matrix, inputSize, batch -> ContractionPlanner.plan(matrix, batch));
        }
    }

    /** HT on {@code W_x} only, over {@code [x ; 0]}, with a dense {@code W_h}. */
    final class HtInput extends Planned {
        public static final String KEY = "ht-input";
        private static final Planned.Traits TRAITS =
                new Planned.Traits(
                        KEY, "HT-input", false, "HT on W_x (%1$s) with dense W_h %2$dx%3$d");

        public HtInput(HtFormat matrix, int inputSize) {
            super(TRAITS, matrix, inputSize, batch -> ContractionPlanner.plan(matrix, batch));
        }
    }

    /**
     * One TT matrix over {@code [x ; h ; 0]}, contracted in TIE's order (last core first): the TT
     * counterpart of {@link Fdht}, a model nobody published (TT-LSTM as published is {@link
     * TtInput}).
     */
    final class Tt extends Planned {
        public static final String KEY = "tt";
        private static final Planned.Traits TRAITS =
                new Planned.Traits(KEY, "TT", true, "TT over [x;h] (TIE order), one %1$s");

        public Tt(TtFormat matrix, int inputSize) {
            super(TRAITS, matrix, inputSize, batch -> ContractionPlanner.tieOrder(matrix, batch));
        }
    }

    /**
     * TT-LSTM as published (Yang et al., ICML 2017; the workload TIE runs): one TT matrix over
     * {@code [x ; 0]}, contracted in TIE's order (last core first), beside a dense {@code W_h}. The
     * published LSTM-UCF shapes: columns 8x20x20x18 (57,600), rows 16x4x4x4 (the four gates times
     * the hidden 4x4x4x4), TT ranks 1,4,4,4,1.
     */
    final class TtInput extends Planned {
        public static final String KEY = "tt-input";
        private static final Planned.Traits TRAITS =
                new Planned.Traits(
                        KEY,
                        "TT-input",
                        false,
                        "TT-LSTM (TT on W_x, dense W_h): %1$s, dense W_h %2$dx%3$d");

        public TtInput(TtFormat matrix, int inputSize) {
            super(TRAITS, matrix, inputSize, batch -> ContractionPlanner.tieOrder(matrix, batch));
        }
    }

    /** The dense matrix, {@code 4H x (N_x + H)} row-major. */
    record Dense(int inputSize, int hiddenSize) implements LayerFormat {
        public static final String KEY = "dense";

        public Dense {
            if (inputSize < 1 || hiddenSize < 1)
                throw new IllegalArgumentException(
                        "dense LSTM of N_x = " + inputSize + ", H = " + hiddenSize);
        }

        @Override
        public String key() {
            return KEY;
        }

        @Override
        public String name() {
            return "dense";
        }

        @Override
        public long parameterCount() {
            return 4L * hiddenSize * ((long) inputSize + hiddenSize);
        }

        @Override
        public long macsPerStep() {
            return parameterCount();
        }

        @Override
        public String describe() {
            return "dense LSTM, W " + 4 * hiddenSize + "x" + (inputSize + hiddenSize);
        }

        @Override
        public String shapes() {
            return "dense " + 4 * hiddenSize + "x" + (inputSize + hiddenSize);
        }
    }
}
