package fdht.layout;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which a batch of inputs is contracted with the cores of an HT (or TT) matrix: an
 * explicit list of {@link Stage}s. The same object drives the CPU kernels and the accelerator
 * model.
 *
 * <p>The input buffer is {@code x[b][j_1..j_d]} row-major (batch outermost); the result is {@code
 * y[b][i_1..i_d]}. The last stage's output holds the same elements in {@link #finalAxes()} order,
 * which the executor permutes into {@code y} unless the two orders already agree. {@link #format()}
 * is the HT or TT format whose weights the plan contracts.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record ContractionPlan(
        MatrixFormat format,
        int batch,
        List<Axis> inputAxes,
        List<Stage> stages,
        List<Axis> resultAxes) {

    public ContractionPlan {
        java.util.Objects.requireNonNull(format, "format");
        inputAxes = List.copyOf(inputAxes);
        stages = List.copyOf(stages);
        resultAxes = List.copyOf(resultAxes);
        if (stages.isEmpty()) throw new IllegalArgumentException("a plan needs at least one stage");
    }

    /** Axes of the last stage's output. */
    public List<Axis> finalAxes() {
        return stages.getLast().output();
    }

    /** True when the last stage's output is already {@code y[b][i_1..i_d]} (size-1 axes aside). */
    public boolean finalOrderIsResult() {
        return Stage.stripUnit(finalAxes()).equals(Stage.stripUnit(resultAxes));
    }

    public long totalMacs() {
        long s = 0;
        for (Stage st : stages) s += st.macs();
        return s;
    }

    /** Largest intermediate (stage output) in floats, batch included. */
    public long maxIntermediate() {
        long m = 0;
        for (Stage st : stages) m = Math.max(m, st.outputSize());
        return m;
    }

    public long inputSize() {
        return Stage.product(inputAxes);
    }

    public long resultSize() {
        return Stage.product(resultAxes);
    }

    /** A readable table: one row per stage with its view, GEMM shape and MACs. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(format).append(", batch ").append(batch).append('\n');
        String head =
                String.format(
                        "%-5s %-28s %-40s %22s %12s %10s%n",
                        "stage",
                        "contracts",
                        "reads (rows | contracted)",
                        "GEMM P x C x Q",
                        "MACs",
                        "transpose");
        sb.append(head);
        for (Stage s : stages) {
            String view = names(s.rows()) + " | " + names(s.contracted());
            String gemm = s.p() + " x " + s.c() + " x " + s.q();
            sb.append(
                    String.format(
                            "%-5d %-28s %-40s %22s %,12d %10s%n",
                            s.index() + 1,
                            s.describe(),
                            view,
                            gemm,
                            s.macs(),
                            s.transposes() ? "yes" : "no"));
        }
        sb.append(
                String.format(
                        "total MACs %,d per batch of %d (%,d per input)%n",
                        totalMacs(), batch, totalMacs() / batch));
        sb.append("result ")
                .append(names(finalAxes()))
                .append(finalOrderIsResult() ? " (already y order)" : " -> " + names(resultAxes))
                .append('\n');
        return sb.toString();
    }

    static String names(List<Axis> axes) {
        List<String> n = new ArrayList<>();
        for (Axis a : axes) n.add(a.name());
        return String.join(" ", n);
    }

    @Override
    public String toString() {
        return toTable();
    }
}
