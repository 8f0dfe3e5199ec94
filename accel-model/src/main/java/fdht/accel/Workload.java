package fdht.accel;

import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.layout.ColumnFactorization;
import fdht.layout.ContractionPlan;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An LSTM video workload and the models the two chips run on it (DESIGN.md section 2), each a
 * {@link LayerFormat.Planned} (its plan from the format's own planner, a dense {@code W_h} stage
 * when its matrix leaves {@code h} out).
 *
 * <ul>
 *   <li>{@link #fdht}: what the FDHT chip runs. For the named workloads FDHT-LSTM, the gate matrix
 *       over {@code [x ; h]} ({@code 4H x (N_x + H)}) as one HT matrix, its column factors the
 *       published input factors with the last one raised to cover {@code h} ({@link
 *       ColumnFactorization#extendLast}; our reconstruction: the paper's exact FDHT factors are not
 *       known to us), gate rows 16x4x4x4, ranks 4. The CLI's bundled demo model is built from this
 *       very format, so {@code simulate} times the plan the CPU kernels run. For a model file, the
 *       model in its own format, whichever it is.
 *   <li>{@link #ttLstm}: TT-LSTM as published (Yang et al., ICML 2017; TIE's LSTM workloads), what
 *       TIE runs in {@link Variant#PUBLISHED}: TT on {@code W_x} only, input UCF 8x20x20x18 or
 *       Youtube 4x20x20x36, outputs 16x4x4x4 (the four gates folded into the first factor), ranks
 *       1,4,4,4,1; plus a dense {@code W_h} ({@code 4H x H}) that the cycle model times as its own
 *       stage.
 *   <li>{@link #sameFormat}: a TT over {@code [x ; h]} with FDHT's factors and ranks, what TIE runs
 *       in {@link Variant#SAME_FORMAT}.
 * </ul>
 *
 * {@link #tieSource} says where TIE's TT-LSTM comes from: "published", "assumed for this model" or
 * "trained" (a model file). {@link #paper} holds the paper's FDHT/TIE ratios for the paper's own
 * workloads and is null for any other model.
 *
 * <p>Thread safety: Immutable and thread-safe (plans are memoised in a synchronised cache).
 */
public record Workload(
        String name,
        int inputSize,
        int hidden,
        int frames,
        LayerFormat.Planned fdht,
        LayerFormat.TtInput ttLstm,
        LayerFormat.Tt sameFormat,
        String tieSource,
        PaperRatios paper) {

    /**
     * The paper's FDHT / TIE ratios on one workload (Gong et al., IEEE TC 2022, abstract); NaN
     * where it says only "comparable".
     */
    public record PaperRatios(double throughput, double areaEfficiency, double energyEfficiency) {}

    /** Gate rows: 4H = 1024 with the four gates in the first factor, as TT-LSTM folds them. */
    static final int[] GATE_ROWS = {16, 4, 4, 4};

    /** The published TT-LSTM ranks (interior bonds). */
    static final int TT_RANK = 4;

    /** Our FDHT rank (the paper's trained ranks are not known to us). */
    static final int HT_RANK = 4;

    public Workload {
        if (inputSize < 1 || hidden < 1 || frames < 1)
            throw new IllegalArgumentException("workload " + name + ": sizes must be positive");
        for (LayerFormat.Planned m : new LayerFormat.Planned[] {fdht, ttLstm, sameFormat})
            if (m.inputSize() != inputSize || m.hiddenSize() != hidden)
                throw new IllegalArgumentException(
                        "workload "
                                + name
                                + " of N_x = "
                                + inputSize
                                + ", H = "
                                + hidden
                                + " cannot run "
                                + m.describe());
    }

    private static Workload published(String name, int[] inputFactors, PaperRatios paper) {
        int input = 57_600, hidden = 256;
        int[] n = ColumnFactorization.extendLast(inputFactors, input + hidden);
        return new Workload(
                name,
                input,
                hidden,
                6,
                new LayerFormat.Fdht(HtFormat.uniform(GATE_ROWS, n, HT_RANK), input),
                ttLstm(input, hidden, GATE_ROWS, inputFactors, TT_RANK),
                new LayerFormat.Tt(TtFormat.uniform(GATE_ROWS, n, HT_RANK), input),
                "published",
                paper);
    }

    /** TT-LSTM on {@code W_x} with these factors and bond rank, through the one format parser. */
    private static LayerFormat.TtInput ttLstm(
            int input, int hidden, int[] rows, int[] cols, int rank) {
        return (LayerFormat.TtInput)
                LayerFormat.parse(
                        LayerFormat.TtInput.KEY,
                        new RankSpec.Uniform(rank),
                        input,
                        hidden,
                        new GateFactors(rows.length, rows, cols, null, false));
    }

    /**
     * LSTM-UCF: 160x120x3 = 57,600 = 8x20x20x18 inputs (FDHT: 8x20x20x19 with h), hidden 256, 6
     * frames. Paper: 1.9x, comparable, 1.83x.
     */
    public static Workload lstmUcf() {
        return published(
                "lstm-ucf", new int[] {8, 20, 20, 18}, new PaperRatios(1.9, Double.NaN, 1.83));
    }

    /**
     * LSTM-Youtube: 57,600 = 4x20x20x36 inputs (FDHT: 4x20x20x37 with h), hidden 256, 6 frames.
     * Paper: 2.5x, 1.46x, 2.41x.
     */
    public static Workload lstmYoutube() {
        return published(
                "lstm-youtube", new int[] {4, 20, 20, 36}, new PaperRatios(2.5, 1.46, 2.41));
    }

    public static Workload named(String name) {
        return switch (name) {
            case "lstm-ucf" -> lstmUcf();
            case "lstm-youtube" -> lstmYoutube();
            default ->
                    throw new IllegalArgumentException(
                            "workload '" + name + "' is not lstm-ucf or lstm-youtube");
        };
    }

    /**
     * A model in its own format (any planned one) on the FDHT chip; TIE gets TT-LSTM at the model's
     * largest rank on {@code W_x} (the model's column factors with the last one lowered or raised
     * to cover just the inputs) plus a dense {@code W_h}, and for the same-format variant a TT over
     * {@code [x ; h]} at that rank (the last factor covering {@code N_x + H}). No paper ratios.
     */
    public static Workload ofModel(String name, LayerFormat.Planned model) {
        MatrixFormat m = model.matrix();
        int rank =
                Arrays.stream(
                                switch (m) {
                                    case HtFormat ht -> ht.ranks();
                                    case TtFormat tt -> tt.bondRanks();
                                })
                        .max()
                        .orElse(1);
        int input = model.inputSize(), hidden = model.hiddenSize();
        int[] n = m.colFactors();
        return new Workload(
                name,
                input,
                hidden,
                1,
                model,
                new LayerFormat.TtInput(
                        TtFormat.uniform(
                                m.rowFactors(), ColumnFactorization.extendLast(n, input), rank),
                        input),
                new LayerFormat.Tt(
                        TtFormat.uniform(
                                m.rowFactors(),
                                ColumnFactorization.extendLast(n, input + hidden),
                                rank),
                        input),
                "assumed for this model",
                null);
    }

    /**
     * The same workload with a trained TIE model: a TT-LSTM ({@code tt-input}) replaces {@link
     * #ttLstm}, a TT over {@code [x ; h]} ({@code tt}) {@link #sameFormat}; {@link Variant#running}
     * says which variant then runs it. Refused: another format, or other sizes.
     */
    public Workload withTieModel(LayerFormat.Planned tie) {
        Variant.running(tie);
        if (tie.inputSize() != inputSize || tie.hiddenSize() != hidden)
            throw new IllegalArgumentException(
                    "the TIE model has N_x = "
                            + tie.inputSize()
                            + ", H = "
                            + tie.hiddenSize()
                            + ", the FDHT model N_x = "
                            + inputSize
                            + ", H = "
                            + hidden);
        return switch (tie) {
            case LayerFormat.TtInput t ->
                    new Workload(
                            name, inputSize, hidden, frames, fdht, t, sameFormat, "trained", paper);
            case LayerFormat.Tt t ->
                    new Workload(
                            name, inputSize, hidden, frames, fdht, ttLstm, t, tieSource, paper);
            default -> throw new IllegalStateException("Variant.running refused " + tie.key());
        };
    }

    /** The model TIE runs in {@code variant}. */
    public LayerFormat.Planned tie(Variant variant) {
        return variant == Variant.PUBLISHED ? ttLstm : sameFormat;
    }

    /**
     * The FDHT accelerator's plan for one frame (its format's planner: the cheapest order for HT),
     * the plan the CPU kernels run.
     */
    public ContractionPlan fdhtPlan() {
        return plan(fdht);
    }

    /** TIE's plan of the same-format TT over {@code [x ; h]} (last core first). */
    public ContractionPlan ttPlan() {
        return plan(sameFormat);
    }

    /**
     * TIE's plan of TT-LSTM's {@code W_x} (last core first); {@code W_h} is a dense stage beside
     * it.
     */
    public ContractionPlan ttLstmPlan() {
        return plan(ttLstm);
    }

    /** The batch-1 plan of {@code model}, memoised. */
    public ContractionPlan plan(LayerFormat.Planned model) {
        return memo(model.key() + " " + model.matrix(), () -> model.plan(1));
    }

    /** The weights of {@code model}'s dense {@code W_h} stage: {@code 4H x H}, or 0 when none. */
    public long denseWeights(LayerFormat.Planned model) {
        return model.coversHidden() ? 0 : recurrentWeights();
    }

    // plans are immutable and a sensitivity run asks for the same ones about a hundred times
    private static final Map<String, ContractionPlan> PLANS =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ContractionPlan> e) {
                    return size() > 32;
                }
            };

    private static ContractionPlan memo(String key, Supplier<ContractionPlan> plan) {
        synchronized (PLANS) {
            return PLANS.computeIfAbsent(key, k -> plan.get());
        }
    }

    /** MACs per frame of the dense LSTM this workload compresses. */
    public long denseMacs() {
        return 4L * hidden * ((long) inputSize + hidden);
    }

    /** Weights of the dense recurrent matrix {@code W_h}, {@code 4H x H}. */
    public long recurrentWeights() {
        return 4L * hidden * hidden;
    }

    /** What runs on each chip, three lines. */
    public String describe() {
        TtFormat t = (TtFormat) ttLstm.matrix();
        int[] bonds = t.bondRanks();
        int lo = Arrays.stream(bonds, 1, bonds.length - 1).min().orElse(1),
                hi = Arrays.stream(bonds, 1, bonds.length - 1).max().orElse(1);
        String fdhtLine =
                fdht instanceof LayerFormat.Fdht && fdht.matrix() instanceof HtFormat ht
                        ? String.format(
                                "FDHT: HT over [x;h], m=%s n=%s (%s), ranks %s",
                                Arrays.toString(ht.rowFactors()),
                                Arrays.toString(ht.colFactors()),
                                paper == null ? "the model's" : "ours",
                                Arrays.toString(ht.ranks()))
                        : "FDHT: " + fdht.describe() + " (the model's own format)";
        return String.format(
                "%s: %,d inputs + %d hidden, %d frames per clip%n  %s%n"
                        + "  TIE:  TT-LSTM, TT on W_x m=%s n=%s ranks 1,%s,1 (%s) + dense W_h %dx%d",
                name,
                inputSize,
                hidden,
                frames,
                fdhtLine,
                Arrays.toString(t.rowFactors()),
                Arrays.toString(t.colFactors()),
                lo == hi
                        ? lo + ".." + hi
                        : String.join(
                                ",",
                                Arrays.stream(bonds, 1, bonds.length - 1)
                                        .mapToObj(Integer::toString)
                                        .toList()),
                tieSource,
                4 * hidden,
                hidden);
    }
}
