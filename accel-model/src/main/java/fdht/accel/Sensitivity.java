package fdht.accel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much the FDHT / TIE throughput and energy-efficiency ratios move when each {@code fitted} or
 * {@code assumed} config entry is varied over a stated range, the others held at their defaults; an
 * entry both chips give the same value (a technology figure such as the energy of a MAC) is varied
 * on both together ("both"), any other on its own chip: numbers over {@code x0.5 .. x2}, counts
 * (PEs, lanes, banks) halved and doubled, the layout over its alternatives. {@code sourced} entries
 * are not varied. The rows, largest swing first, are the data of a tornado chart.
 *
 * <p>Cost: one simulation of the varied chip per setting (about 80 in all), each cheap once the
 * banked layouts are cached. Thread safety: Immutable and thread-safe.
 */
public record Sensitivity(double throughput, double energyEfficiency, List<Row> rows) {

    /** One varied entry: the ratios at its low and its high setting. */
    public record Row(
            String chip,
            String key,
            Provenance mark,
            String lowValue,
            String highValue,
            double throughputLow,
            double throughputHigh,
            double energyLow,
            double energyHigh) {
        public String label() {
            return chip + " " + key;
        }

        public double throughputSwing() {
            return Math.abs(throughputHigh - throughputLow);
        }

        public double energySwing() {
            return Math.abs(energyHigh - energyLow);
        }
    }

    /**
     * Entries not varied: the number format (the functional model's), and keys that cannot change
     * the on-chip ratios.
     */
    private static final List<String> FIXED = List.of("bits", "fraction_bits");

    public static Sensitivity run(
            Workload w,
            AcceleratorConfig fdht,
            AcceleratorConfig tie,
            Variant variant,
            boolean dram) {
        Simulation f0 = Comparison.simulateFdht(w, fdht, dram),
                t0 = Comparison.simulateTie(w, tie, variant, dram);
        double[] r0 = Comparison.ratios(f0, t0);
        List<Row> rows = new ArrayList<>();
        // 0: FDHT alone, 1: TIE alone, 2: both chips together (an entry both give the same value: a
        // shared technology figure)
        for (int side = 0; side < 3; side++) {
            AcceleratorConfig cfg = side == 1 ? tie : fdht;
            for (Map.Entry<String, Provenance> e : cfg.provenance().entrySet()) {
                String key = e.getKey();
                if (e.getValue().kind() == Provenance.Kind.SOURCED || FIXED.contains(key)) continue;
                if (key.equals("dram_gbps") && !dram) continue;
                Provenance other = (side == 1 ? fdht : tie).provenance().get(key);
                boolean shared =
                        other != null
                                && other.kind() != Provenance.Kind.SOURCED
                                && cfg.value(key).equals((side == 1 ? fdht : tie).value(key));
                if (shared != (side == 2)) continue;
                List<String> settings = settings(cfg, key);
                List<String> tried = new ArrayList<>();
                List<double[]> ratios = new ArrayList<>();
                for (String v : settings) {
                    AcceleratorConfig f, t;
                    try {
                        f = side == 1 ? fdht : fdht.with(key, v, e.getValue());
                        t = side == 0 ? tie : tie.with(key, v, e.getValue());
                    } catch (IllegalArgumentException invalid) {
                        continue; // outside the key's valid range: not a setting to show
                    }
                    tried.add(v);
                    ratios.add(
                            Comparison.ratios(
                                    side == 1 ? f0 : Comparison.simulateFdht(w, f, dram),
                                    side == 0 ? t0 : Comparison.simulateTie(w, t, variant, dram)));
                }
                if (tried.isEmpty()) continue;
                int lo = 0, hi = tried.size() - 1;
                if (key.equals("layout")) {
                    // a category: show the settings with the lowest and the highest throughput
                    // ratio
                    for (int i = 0; i < tried.size(); i++) {
                        if (ratios.get(i)[0] < ratios.get(lo)[0]) lo = i;
                        if (ratios.get(i)[0] > ratios.get(hi)[0]) hi = i;
                    }
                    if (lo == hi) hi = (lo + 1) % tried.size();
                }
                rows.add(
                        new Row(
                                side == 2 ? "both" : cfg.name(),
                                key,
                                e.getValue(),
                                tried.get(lo),
                                tried.get(hi),
                                ratios.get(lo)[0],
                                ratios.get(hi)[0],
                                ratios.get(lo)[2],
                                ratios.get(hi)[2]));
            }
        }
        rows.sort(
                Comparator.comparingDouble(
                        (Row r) ->
                                -Math.max(r.throughputSwing() / r0[0], r.energySwing() / r0[2])));
        return new Sensitivity(r0[0], r0[2], List.copyOf(rows));
    }

    /**
     * The settings tried for {@code key}: {low, high} for numbers, every other layout for the
     * layout.
     */
    private static List<String> settings(AcceleratorConfig cfg, String key) {
        String v = cfg.value(key);
        if (key.equals("layout")) {
            List<String> out = new ArrayList<>();
            for (MemoryLayout l : MemoryLayout.values()) out.add(l.key());
            return out;
        }
        if (key.equals("pes") || key.equals("lanes") || key.equals("banks")) {
            int n = Integer.parseInt(v);
            return List.of(Integer.toString(Math.max(1, n / 2)), Integer.toString(n * 2));
        }
        double d = Double.parseDouble(v);
        return List.of(fmt(d / 2), fmt(d * 2));
    }

    private static String fmt(double d) {
        return java.math.BigDecimal.valueOf(d)
                .round(new java.math.MathContext(6))
                .stripTrailingZeros()
                .toPlainString();
    }

    /**
     * The entries that move a ratio by more than {@code threshold} (relative) of its value, largest
     * first, as "chip key (mark) lo..hi".
     */
    public List<Row> deciding(boolean energy, double threshold) {
        double base = energy ? energyEfficiency : throughput;
        return rows.stream()
                .filter(r -> (energy ? r.energySwing() : r.throughputSwing()) > threshold * base)
                .sorted(
                        Comparator.comparingDouble(
                                (Row r) -> -(energy ? r.energySwing() : r.throughputSwing())))
                .toList();
    }

    public String csv() {
        StringBuilder sb =
                new StringBuilder(
                        "chip,key,mark,low,high,throughput_low,throughput_high,energy_efficiency_low,energy_efficiency_high\n");
        for (Row r : rows) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%s,%s,%s,%s,%s,%.4f,%.4f,%.4f,%.4f%n",
                            r.chip(),
                            r.key(),
                            r.mark().mark(),
                            r.lowValue(),
                            r.highValue(),
                            r.throughputLow(),
                            r.throughputHigh(),
                            r.energyLow(),
                            r.energyHigh()));
        }
        return sb.toString();
    }

    public String toTable() {
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "sensitivity (default ratios: throughput %.2fx, energy efficiency %.2fx)%n",
                                throughput,
                                energyEfficiency));
        sb.append(
                String.format(
                        "  %-36s %-8s %-22s %-16s %-16s%n",
                        "entry", "mark", "low .. high", "throughput", "energy eff."));
        for (Row r : rows) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %-36s %-8s %-22s %5.2f .. %5.2fx   %5.2f .. %5.2fx%n",
                            r.label(),
                            r.mark().mark(),
                            r.lowValue() + " .. " + r.highValue(),
                            r.throughputLow(),
                            r.throughputHigh(),
                            r.energyLow(),
                            r.energyHigh()));
        }
        return sb.toString();
    }
}
