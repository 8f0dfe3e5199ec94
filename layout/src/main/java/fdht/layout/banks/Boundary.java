package fdht.layout.banks;

import fdht.layout.Axis;
import fdht.layout.ContractionPlan;
import fdht.layout.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * One intermediate tensor between a writer and a reader: the writer stores it row-major in the
 * order {@link #writerAxes()} (its elements are numbered by that order, the writer index {@code
 * w}); the reader consumes it in the row-major order of {@link #readerAxes()}, a permutation of the
 * same axes (size-1 axes may be left out). A plan of {@code s} stages has {@code s + 1} boundaries:
 * input loader to stage 1, stage k to stage k+1, last stage to the result writer. Immutable; {@link
 * #readerOrder()} costs one int per element.
 */
public record Boundary(String label, List<Axis> writerAxes, List<Axis> readerAxes) {

    public Boundary {
        writerAxes = List.copyOf(writerAxes);
        List<Axis> r = new ArrayList<>(readerAxes);
        for (Axis a : r) {
            if (!writerAxes.contains(a))
                throw new IllegalArgumentException(
                        label + ": reader axis " + a + " is not written");
        }
        for (Axis a : writerAxes) {
            if (!r.contains(a)) {
                if (a.size() != 1)
                    throw new IllegalArgumentException(
                            label + ": written axis " + a + " is never read");
                r.add(a);
            }
        }
        readerAxes = List.copyOf(r);
        if (Stage.product(writerAxes) > Integer.MAX_VALUE - 1024)
            throw new IllegalArgumentException(label + ": more than 2^31 elements");
    }

    /** Every boundary of a plan, in execution order. */
    public static List<Boundary> of(ContractionPlan plan) {
        List<Boundary> out = new ArrayList<>();
        List<Stage> st = plan.stages();
        out.add(new Boundary("input -> stage 1", plan.inputAxes(), st.getFirst().view()));
        for (int s = 0; s + 1 < st.size(); s++) {
            out.add(
                    new Boundary(
                            "stage " + (s + 1) + " -> stage " + (s + 2),
                            st.get(s).output(),
                            st.get(s + 1).view()));
        }
        out.add(
                new Boundary(
                        "stage " + st.size() + " -> result", plan.finalAxes(), plan.resultAxes()));
        return out;
    }

    public int size() {
        return (int) Stage.product(writerAxes);
    }

    /** True when the reader's order differs from the writer's (size-1 axes aside). */
    public boolean transposes() {
        return !writerAxes.stream()
                .filter(a -> a.size() > 1)
                .toList()
                .equals(readerAxes.stream().filter(a -> a.size() > 1).toList());
    }

    /** For every reader position {@code r}, the writer index of the element read there. */
    public int[] readerOrder() {
        return Stage.offsets(readerAxes, Stage.strides(writerAxes, readerAxes));
    }
}
