package fdht.accel;

import fdht.layout.ColumnFactorization;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An LSTM video workload and the models the two chips run on it (DESIGN.md section 2).
 *
 * <ul>
 *   <li>{@link #ht}: FDHT-LSTM, the gate matrix over {@code [x ; h]} ({@code 4H x (N_x + H)}) as
 *       one HT matrix. For the named workloads its column factors are the published input factors
 *       with the last one raised to cover {@code h} ({@link ColumnFactorization#extendLast}; our
 *       reconstruction: the paper's exact FDHT factors are not known to us), gate rows 16x4x4x4,
 *       ranks 4. The CLI's bundled demo model is built from this very format, so {@code simulate}
 *       times the plan the CPU kernels run.
 *   <li>{@link #ttInput}: TT-LSTM as published (Yang et al., ICML 2017; TIE's LSTM workloads): TT
 *       on {@code W_x} only, input UCF 8x20x20x18 or Youtube 4x20x20x36, outputs 16x4x4x4 (the four
 *       gates folded into the first factor), ranks 1,4,4,4,1; plus a dense {@code W_h} ({@code 4H x
 *       H}) that the cycle model times as its own stage.
 *   <li>{@link #tt}: a TT over {@code [x ; h]} with FDHT's factors and ranks, for {@link
 *       Variant#SAME_FORMAT}.
 * </ul>
 *
 * {@link #paper} holds the paper's FDHT/TIE ratios for the paper's own workloads and is null for
 * any other model.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record Workload(
        String name,
        int inputSize,
        int hidden,
        int frames,
        HtFormat ht,
        TtFormat ttInput,
        TtFormat tt,
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
    }

    private static Workload published(String name, int[] inputFactors, PaperRatios paper) {
        int input = 57_600, hidden = 256;
        int[] n = ColumnFactorization.extendLast(inputFactors, input + hidden);
        return new Workload(
                name,
                input,
                hidden,
                6,
                HtFormat.uniform(GATE_ROWS, n, HT_RANK),
                TtFormat.uniform(GATE_ROWS, inputFactors, TT_RANK),
                TtFormat.uniform(GATE_ROWS, n, HT_RANK),
                paper);
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
     * A model's own HT format; TIE gets TT-LSTM at the model's largest rank on {@code W_x} (the
     * model's column factors with the last one lowered to cover just the inputs) plus a dense
     * {@code W_h}. No paper ratios.
     */
    public static Workload ofModel(String name, int inputSize, int hidden, HtFormat ht) {
        int rank = Arrays.stream(ht.ranks()).max().orElse(1);
        int[] inputFactors = ColumnFactorization.extendLast(ht.colFactors(), inputSize);
        return new Workload(
                name,
                inputSize,
                hidden,
                1,
                ht,
                TtFormat.uniform(ht.rowFactors(), inputFactors, rank),
                TtFormat.uniform(ht.rowFactors(), ht.colFactors(), rank),
                null);
    }

    /**
     * The same workload with TIE's same-format TT replaced by {@code tt} (a trained TT over {@code
     * [x ; h]}, so FDHT and TT can be compared at equal accuracy).
     */
    public Workload withSameFormatTt(TtFormat other) {
        if (other.rows() != 4 * hidden)
            throw new IllegalArgumentException(
                    "the TT model has " + other.rows() + " rows, the FDHT model " + 4 * hidden);
        if (other.cols() < inputSize + hidden) {
            throw new IllegalArgumentException(
                    "the TT model's "
                            + other.cols()
                            + " columns do not cover [x;h] = "
                            + (inputSize + hidden));
        }
        return new Workload(name, inputSize, hidden, frames, ht, ttInput, other, paper);
    }

    /**
     * The FDHT accelerator's plan for one frame (the planner's cheapest), the plan the CPU kernels
     * run.
     */
    public ContractionPlan htPlan() {
        return memo("ht " + ht, () -> ContractionPlanner.plan(ht, 1));
    }

    /** TIE's plan of the same-format TT over {@code [x ; h]} (last core first). */
    public ContractionPlan ttPlan() {
        return memo("tt " + tt, () -> ContractionPlanner.tieOrder(tt, 1));
    }

    /**
     * TIE's plan of TT-LSTM's {@code W_x} (last core first); {@code W_h} is a dense stage beside
     * it.
     */
    public ContractionPlan ttInputPlan() {
        return memo("tt " + ttInput, () -> ContractionPlanner.tieOrder(ttInput, 1));
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

    public String describe() {
        return String.format(
                "%s: %,d inputs + %d hidden, %d frames per clip%n  FDHT: HT over [x;h], m=%s n=%s (ours), ranks %s%n"
                        + "  TIE:  TT-LSTM, TT on W_x m=%s n=%s ranks 1,%d..%d,1 (%s) + dense W_h %dx%d",
                name,
                inputSize,
                hidden,
                frames,
                Arrays.toString(ht.rowFactors()),
                Arrays.toString(ht.colFactors()),
                Arrays.toString(ht.ranks()),
                Arrays.toString(ttInput.rowFactors()),
                Arrays.toString(ttInput.colFactors()),
                ttInput.bondRank(1),
                ttInput.bondRank(1),
                paper == null ? "assumed for this model" : "published",
                4 * hidden,
                hidden);
    }
}
