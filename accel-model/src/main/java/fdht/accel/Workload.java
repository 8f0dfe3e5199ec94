package fdht.accel;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;

/**
 * An LSTM video workload (DESIGN.md): the gate matrix over {@code [x ; h]}, {@code 4H x (N_x + H)},
 * factored as the TT-RNN papers factor the input (their last factor raised until the columns also
 * cover {@code h}), one clip of {@code frames} frames. FDHT stores it as one HT matrix ("integrate,
 * then decompose"), TIE as one TT matrix, with the same factors and ranks, so the comparison
 * isolates format and dataflow. Our reconstruction: the papers' exact FDHT factors are not known to us.
 */
public record Workload(String name, int inputSize, int hidden, int frames, int[] rowFactors, int[] colFactors, int rank) {

    /** The paper factors with the last one raised until their product covers {@code cols}. */
    static int[] cover(int[] factors, int cols) {
        int[] f = factors.clone();
        long rest = 1;
        for (int k = 0; k < f.length - 1; k++) rest *= f[k];
        f[f.length - 1] = (int) ((cols + rest - 1) / rest);
        return f;
    }

    /** LSTM-UCF: 160x120x3 = 57,600 = 8x20x20x18 inputs (8x20x20x19 with h), hidden 256, outputs 16x4x4x4, ranks 4, 6 frames. */
    public static Workload lstmUcf() {
        return new Workload("lstm-ucf", 57_600, 256, 6, new int[]{16, 4, 4, 4}, cover(new int[]{8, 20, 20, 18}, 57_600 + 256), 4);
    }

    /** LSTM-Youtube: 57,600 = 4x20x20x36 inputs (4x20x20x37 with h), hidden 256, outputs 16x4x4x4, ranks 4, 6 frames. */
    public static Workload lstmYoutube() {
        return new Workload("lstm-youtube", 57_600, 256, 6, new int[]{16, 4, 4, 4}, cover(new int[]{4, 20, 20, 36}, 57_600 + 256), 4);
    }

    public static Workload named(String name) {
        return switch (name) {
            case "lstm-ucf" -> lstmUcf();
            case "lstm-youtube" -> lstmYoutube();
            default -> throw new IllegalArgumentException("workload '" + name + "' is not lstm-ucf or lstm-youtube");
        };
    }

    public HtFormat htFormat() { return HtFormat.uniform(rowFactors, colFactors, rank); }
    public TtFormat ttFormat() { return TtFormat.uniform(rowFactors, colFactors, rank); }

    /** The FDHT accelerator's plan for one frame (the planner's cheapest). */
    public ContractionPlan htPlan() { return ContractionPlanner.plan(htFormat(), 1); }

    /** TIE's plan for one frame (last core first). */
    public ContractionPlan ttPlan() { return ContractionPlanner.tieOrder(ttFormat(), 1); }

    /** MACs per frame of the dense LSTM this workload compresses. */
    public long denseMacs() { return 4L * hidden * ((long) inputSize + hidden); }
}
