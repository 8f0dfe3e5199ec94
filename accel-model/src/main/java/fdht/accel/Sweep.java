package fdht.accel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * FDHT against TIE over a grid of PE and bank counts (both chips varied together): one row per
 * point, for CSV and plots.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class Sweep {
    public record Point(int pes, int banks, Simulation fdht, Simulation tie) {}

    private Sweep() {}

    public static List<Point> run(
            Workload w,
            AcceleratorConfig fdht,
            AcceleratorConfig tie,
            Variant variant,
            boolean dram,
            int[] pes,
            int[] banks) {
        List<Point> out = new ArrayList<>();
        for (int p : pes) {
            for (int b : banks) {
                Comparison c =
                        Comparison.run(
                                w,
                                fdht.with(fdht.layout(), p, b),
                                tie.with(tie.layout(), p, b),
                                variant,
                                dram,
                                false);
                out.add(new Point(p, b, c.fdht(), c.tie()));
            }
        }
        return out;
    }

    public static String csv(List<Point> points) {
        StringBuilder sb =
                new StringBuilder(
                        "pes,banks,fdht_frames_per_s,tie_frames_per_s,fdht_gops_per_w,tie_gops_per_w,fdht_gops_per_mm2,tie_gops_per_mm2,fdht_stalls,tie_stalls\n");
        for (Point p : points) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%d%n",
                            p.pes(),
                            p.banks(),
                            p.fdht().framesPerSecond(),
                            p.tie().framesPerSecond(),
                            p.fdht().gopsPerWatt(),
                            p.tie().gopsPerWatt(),
                            p.fdht().gopsPerMm2(),
                            p.tie().gopsPerMm2(),
                            p.fdht().stallCycles(),
                            p.tie().stallCycles()));
        }
        return sb.toString();
    }
}
