package fdht.accel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The joint fit of the accelerator model's two fitted entries, TIE's {@code
 * dense_weight_words_per_cycle} and both chips' {@code clock_power_mw_per_mm2}, to the paper's four
 * bar ratios (FDHT / TIE throughput and energy efficiency on LSTM-UCF and LSTM-Youtube), and its
 * leave-one-out check: fitted to three of the four, how well the fit predicts the fourth.
 *
 * <p>A fit is the point of a {@link Grid} with the smallest worst relative error {@code |ours /
 * paper - 1|} over the ratios it is fitted to (minimax; ties: the first point, words outer);
 * everything else is the bundled configs'. {@link Grid#BUNDLED} (words 40..64 step 4, clock power
 * 10..30 step 5) is the grid the configs' values were chosen on, and its fit to all four is them;
 * {@link Grid#FINE} steps by 1. {@code java -cp 'cli/target/fdht-cli.jar:cli/target/lib/*'
 * fdht.accel.JointFit} prints both grids' tables (docs/ACCELERATOR.md section 3).
 *
 * <p>Cost: one published-variant comparison per workload and grid point (525 x 2 for the fine grid,
 * about a second: plans and layouts are cached). Thread safety: stateless.
 */
public final class JointFit {
    /**
     * TIE's weight words read per cycle x both chips' clock and control power per mm^2 (mW).
     *
     * @param words the values of {@code dense_weight_words_per_cycle}
     * @param clockPower the values of {@code clock_power_mw_per_mm2}
     */
    public record Grid(double[] words, double[] clockPower) {
        /** The grid the bundled configs' values were fitted on: 7 x 5 points. */
        public static final Grid BUNDLED = new Grid(range(40, 64, 4), range(10, 30, 5));

        /** The same ranges at step 1: 25 x 21 points. */
        public static final Grid FINE = new Grid(range(40, 64, 1), range(10, 30, 1));

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%.0f..%.0f words/cycle step %.0f x %.0f..%.0f mW/mm^2 step %.0f",
                    words[0],
                    words[words.length - 1],
                    words[1] - words[0],
                    clockPower[0],
                    clockPower[clockPower.length - 1],
                    clockPower[1] - clockPower[0]);
        }
    }

    /** One of the paper's ratios: which workload, which ratio, its published value. */
    public record Target(String label, Workload workload, boolean energy, double paper) {}

    /** The paper's four bar ratios (Gong et al., IEEE TC 2022, abstract). */
    public static List<Target> targets() {
        List<Target> t = new ArrayList<>();
        for (Workload w : List.of(Workload.lstmUcf(), Workload.lstmYoutube())) {
            t.add(new Target(w.name() + " throughput", w, false, w.paper().throughput()));
            t.add(new Target(w.name() + " energy eff.", w, true, w.paper().energyEfficiency()));
        }
        return t;
    }

    /** A grid point and our ratio for every target there. */
    public record Point(double words, double clockPower, double[] ratios) {
        /** {@code |ours / paper - 1|} of target {@code i}. */
        double error(List<Target> targets, int i) {
            return Math.abs(ratios[i] / targets.get(i).paper() - 1);
        }
    }

    /** A fit: the chosen point and its worst error over the targets it was fitted to. */
    public record Fit(Point point, double worstError) {}

    /** Our ratios for every target at every point of {@code grid}, words outer. */
    public static List<Point> points(Grid grid, List<Target> targets) {
        List<Point> points = new ArrayList<>();
        AcceleratorConfig fdht0 = AcceleratorConfig.fdht(), tie0 = AcceleratorConfig.tie();
        Provenance mark = new Provenance(Provenance.Kind.FITTED, "grid point");
        for (double words : grid.words()) {
            for (double power : grid.clockPower()) {
                String p = Double.toString(power);
                AcceleratorConfig f = fdht0.with("clock_power_mw_per_mm2", p, mark);
                AcceleratorConfig t =
                        tie0.with("clock_power_mw_per_mm2", p, mark)
                                .with("dense_weight_words_per_cycle", Double.toString(words), mark);
                double[] ratios = new double[targets.size()];
                Workload done = null;
                double[] ours = null;
                for (int i = 0; i < ratios.length; i++) {
                    Target target = targets.get(i);
                    if (target.workload() != done) {
                        ours =
                                Comparison.run(
                                                target.workload(),
                                                f,
                                                t,
                                                Variant.PUBLISHED,
                                                false,
                                                false)
                                        .ourRatios();
                        done = target.workload();
                    }
                    ratios[i] = ours[target.energy() ? 2 : 0];
                }
                points.add(new Point(words, power, ratios));
            }
        }
        return points;
    }

    /** The minimax fit to the targets {@code use} marks. */
    public static Fit fit(List<Point> points, List<Target> targets, boolean[] use) {
        Fit best = null;
        for (Point p : points) {
            double worst = 0;
            for (int i = 0; i < use.length; i++)
                if (use[i]) worst = Math.max(worst, p.error(targets, i));
            if (best == null || worst < best.worstError()) best = new Fit(p, worst);
        }
        return best;
    }

    /**
     * On {@code grid}: the fit to all four, then one row per left-out ratio: the fit to the other
     * three and what it predicts for the one left out.
     */
    public static String table(Grid g) {
        List<Target> targets = targets();
        List<Point> grid = points(g, targets);
        int n = targets.size();
        boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        Fit full = fit(grid, targets, all);
        StringBuilder sb = new StringBuilder();
        sb.append("Grid: ").append(g).append('\n');
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Fitted to all four: %.0f words/cycle, %.0f mW/mm^2, worst error %.1f%%%n",
                        full.point().words(),
                        full.point().clockPower(),
                        100 * full.worstError()));
        for (int i = 0; i < n; i++)
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %-26s ours %.2fx, paper %.2fx (%+.1f%%)%n",
                            targets.get(i).label(),
                            full.point().ratios()[i],
                            targets.get(i).paper(),
                            100 * (full.point().ratios()[i] / targets.get(i).paper() - 1)));
        sb.append(
                String.format(
                        "%nLeave one out: fitted to the other three, the left-out ratio predicted%n"));
        sb.append(
                String.format(
                        "| left out | words/cycle | mW/mm^2 | worst error on the three | predicted | paper | prediction error |%n"
                                + "|---|---|---|---|---|---|---|%n"));
        for (int k = 0; k < n; k++) {
            boolean[] use = all.clone();
            use[k] = false;
            Fit f = fit(grid, targets, use);
            double predicted = f.point().ratios()[k], paper = targets.get(k).paper();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.0f | %.0f | %.1f%% | %.2fx | %.2fx | %+.1f%% |%n",
                            targets.get(k).label(),
                            f.point().words(),
                            f.point().clockPower(),
                            100 * f.worstError(),
                            predicted,
                            paper,
                            100 * (predicted / paper - 1)));
        }
        return sb.toString();
    }

    private static double[] range(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = from + i * step;
        return v;
    }

    public static void main(String[] args) {
        System.out.print(table(Grid.BUNDLED));
        System.out.println();
        System.out.print(table(Grid.FINE));
    }

    private JointFit() {}
}
