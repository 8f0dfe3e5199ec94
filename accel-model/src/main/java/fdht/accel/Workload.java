package fdht.accel;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;

/**
 * An LSTM video workload (DESIGN.md): the gate matrix over {@code [x ; h]}, {@code 4H x (N_x + H)},
 * as one HT matrix for FDHT ("integrate, then decompose") and one TT matrix for TIE, one clip of
 * {@code frames} frames. The named workloads factor the columns as the TT-RNN papers factor the
 * input (the last factor raised until the columns also cover {@code h}) and give both formats the
 * same factors and ranks, so the comparison isolates format and dataflow. Our reconstruction:
 * the papers' exact FDHT factors and ranks are not known to us.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record Workload(String name, int inputSize, int hidden, int frames, HtFormat ht, TtFormat tt) {

    /** The paper factors with the last one raised until their product covers {@code cols}. */
    static int[] cover(int[] factors, int cols) {
        int[] f = factors.clone();
        long rest = 1;
        for (int k = 0; k < f.length - 1; k++) rest *= f[k];
        f[f.length - 1] = (int) ((cols + rest - 1) / rest);
        return f;
    }

    private static Workload of(String name, int[] inputFactors) {
        int[] m = {16, 4, 4, 4};
        int[] n = cover(inputFactors, 57_600 + 256);
        return new Workload(name, 57_600, 256, 6, HtFormat.uniform(m, n, 4), TtFormat.uniform(m, n, 4));
    }

    /** LSTM-UCF: 160x120x3 = 57,600 = 8x20x20x18 inputs (8x20x20x19 with h), hidden 256, outputs 16x4x4x4, ranks 4, 6 frames. */
    public static Workload lstmUcf() { return of("lstm-ucf", new int[]{8, 20, 20, 18}); }

    /** LSTM-Youtube: 57,600 = 4x20x20x36 inputs (4x20x20x37 with h), hidden 256, outputs 16x4x4x4, ranks 4, 6 frames. */
    public static Workload lstmYoutube() { return of("lstm-youtube", new int[]{4, 20, 20, 36}); }

    public static Workload named(String name) {
        return switch (name) {
            case "lstm-ucf" -> lstmUcf();
            case "lstm-youtube" -> lstmYoutube();
            default -> throw new IllegalArgumentException("workload '" + name + "' is not lstm-ucf or lstm-youtube");
        };
    }

    /** A model's own HT format against a TT of the same factors at the model's largest rank. */
    public static Workload ofModel(String name, int inputSize, int hidden, HtFormat ht) {
        int rank = Arrays.stream(ht.ranks()).max().orElse(1);
        return new Workload(name, inputSize, hidden, 1, ht, TtFormat.uniform(ht.rowFactors(), ht.colFactors(), rank));
    }

    /** The FDHT accelerator's plan for one frame (the planner's cheapest). */
    public ContractionPlan htPlan() { return ContractionPlanner.plan(ht, 1); }

    /** TIE's plan for one frame (last core first). */
    public ContractionPlan ttPlan() { return ContractionPlanner.tieOrder(tt, 1); }

    /** MACs per frame of the dense LSTM this workload compresses. */
    public long denseMacs() { return 4L * hidden * ((long) inputSize + hidden); }

    public String describe() {
        return String.format("%s: %,d inputs + %d hidden, factors m=%s n=%s, HT ranks %s, TT ranks %d, %d frames per clip", name, inputSize, hidden,
                Arrays.toString(ht.rowFactors()), Arrays.toString(ht.colFactors()), Arrays.toString(ht.ranks()), tt.bondRank(1), frames);
    }
}
