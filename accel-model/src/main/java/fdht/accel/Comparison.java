package fdht.accel;

import fdht.kernels.format.LayerFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * FDHT against TIE on one workload, each chip with its own config, beside the paper's ratios when
 * the workload is one of the paper's, plus FDHT on the naive row-major layout as the contrast that
 * shows what the skewed layout saves. {@link #toTable} explains each ratio by the mechanism that
 * produces it and names the config entries (with their provenance) that decide it.
 *
 * <p>Thread safety: Immutable and thread-safe.
 */
public record Comparison(
        Workload workload,
        Variant variant,
        boolean dram,
        AcceleratorConfig fdhtConfig,
        AcceleratorConfig tieConfig,
        Simulation fdht,
        Simulation tie,
        Simulation fdhtRowMajor) {

    /** The default comparison: published models, on-chip figures. */
    public static Comparison run(
            Workload w, AcceleratorConfig fdhtConfig, AcceleratorConfig tieConfig) {
        return run(w, fdhtConfig, tieConfig, Variant.PUBLISHED, false, true);
    }

    /**
     * Both chips on {@code w}: FDHT runs the HT plan over {@code [x ; h]}; TIE runs TT-LSTM's
     * {@code W_x} plan and its dense {@code W_h} ({@link Variant#PUBLISHED}) or a TT over {@code [x
     * ; h]} ({@link Variant#SAME_FORMAT}). {@code dram} puts DRAM into frame time and energy;
     * {@code contrast} also runs FDHT on the row-major layout (else that field repeats {@code
     * fdht}).
     */
    public static Comparison run(
            Workload w,
            AcceleratorConfig fdhtConfig,
            AcceleratorConfig tieConfig,
            Variant variant,
            boolean dram,
            boolean contrast) {
        Simulation f = simulateFdht(w, fdhtConfig, dram);
        Simulation t = simulateTie(w, tieConfig, variant, dram);
        Simulation naive =
                contrast
                        ? CycleModel.simulate(
                                fdhtConfig.with(
                                        MemoryLayout.ROW_MAJOR,
                                        fdhtConfig.pes(),
                                        fdhtConfig.banks()),
                                w,
                                w.fdhtPlan(),
                                w.denseWeights(w.fdht()),
                                dram)
                        : f;
        return new Comparison(w, variant, dram, fdhtConfig, tieConfig, f, t, naive);
    }

    /**
     * FDHT's chip on {@code w}: its model's plan (the HT plan over {@code [x ; h]} for FDHT-LSTM),
     * and a dense {@code W_h} stage when the model has one.
     */
    static Simulation simulateFdht(Workload w, AcceleratorConfig cfg, boolean dram) {
        return CycleModel.simulate(cfg, w, w.fdhtPlan(), w.denseWeights(w.fdht()), dram);
    }

    /**
     * TIE's chip on {@code w}: TT-LSTM ({@code W_x} plan and dense {@code W_h}) or the same-format
     * TT over {@code [x ; h]}.
     */
    static Simulation simulateTie(
            Workload w, AcceleratorConfig cfg, Variant variant, boolean dram) {
        LayerFormat.Planned m = w.tie(variant);
        return CycleModel.simulate(cfg, w, w.plan(m), w.denseWeights(m), dram);
    }

    /** {throughput, area efficiency, energy efficiency} of {@code f} over {@code t}. */
    static double[] ratios(Simulation f, Simulation t) {
        return new double[] {
            f.framesPerSecond() / t.framesPerSecond(),
            f.gopsPerMm2() / t.gopsPerMm2(),
            f.gopsPerWatt() / t.gopsPerWatt()
        };
    }

    /**
     * The paper's {throughput, area efficiency, energy efficiency} ratios (NaN: "comparable"); null
     * for other workloads.
     */
    public double[] paperRatios() {
        Workload.PaperRatios p = workload.paper();
        return p == null
                ? null
                : new double[] {p.throughput(), p.areaEfficiency(), p.energyEfficiency()};
    }

    /** Ours: {throughput, area efficiency, energy efficiency}, FDHT / TIE. */
    public double[] ourRatios() {
        return ratios(fdht, tie);
    }

    public String toTable() {
        return toTable(null);
    }

    /** The report; {@code sensitivity} (may be null) names the entries that decide each ratio. */
    public String toTable(Sensitivity sensitivity) {
        StringBuilder sb = new StringBuilder();
        sb.append(workload.describe()).append('\n');
        if (variant == Variant.SAME_FORMAT) {
            sb.append(
                    String.format(
                            "  TIE (same-format): TT over [x;h] m=%s n=%s, bond rank %d, no dense stage%n",
                            java.util.Arrays.toString(workload.sameFormat().matrix().rowFactors()),
                            java.util.Arrays.toString(workload.sameFormat().matrix().colFactors()),
                            ((fdht.layout.TtFormat) workload.sameFormat().matrix()).bondRank(1)));
        }
        sb.append(
                String.format(
                        "variant %s; %s%n%n",
                        variant.key(),
                        dram
                                ? "DRAM COUNTED (--dram): frame time bound by DRAM too, energy includes DRAM"
                                : "on-chip figures (as the paper reports): DRAM traffic, time and energy shown separately, not in frame time or energy"));
        String tieLabel = variant == Variant.PUBLISHED ? "TIE (TT-LSTM)" : "TIE (TT [x;h])";
        sb.append(
                String.format(
                        "%-30s %16s %16s %16s%n",
                        "per frame (one LSTM step)",
                        workload.fdht() instanceof LayerFormat.Fdht
                                ? "FDHT (HT plan)"
                                : "FDHT (" + workload.fdht().name() + ")",
                        tieLabel,
                        "FDHT row-major"));
        row(
                sb,
                "MACs",
                "%,.0f",
                fdht.macsPerFrame(),
                tie.macsPerFrame(),
                fdhtRowMajor.macsPerFrame());
        row(
                sb,
                "cycles",
                "%,.0f",
                fdht.frameCycles(),
                tie.frameCycles(),
                fdhtRowMajor.frameCycles());
        row(
                sb,
                "bank-conflict stall cycles",
                "%,.0f",
                fdht.stallCycles(),
                tie.stallCycles(),
                fdhtRowMajor.stallCycles());
        row(
                sb,
                "transform-pass cycles",
                "%,.0f",
                passCycles(fdht),
                passCycles(tie),
                passCycles(fdhtRowMajor));
        row(
                sb,
                "dense W_h cycles",
                "%,.0f",
                denseCycles(fdht),
                denseCycles(tie),
                denseCycles(fdhtRowMajor));
        row(
                sb,
                "PE utilisation",
                "%.1f%%",
                100 * fdht.utilization(),
                100 * tie.utilization(),
                100 * fdhtRowMajor.utilization());
        row(
                sb,
                "frames/s",
                "%,.0f",
                fdht.framesPerSecond(),
                tie.framesPerSecond(),
                fdhtRowMajor.framesPerSecond());
        row(
                sb,
                "GOPS (dense-equivalent)",
                "%,.1f",
                fdht.denseGops(),
                tie.denseGops(),
                fdhtRowMajor.denseGops());
        row(
                sb,
                "GOPS (operations done)",
                "%,.1f",
                fdht.actualGops(),
                tie.actualGops(),
                fdhtRowMajor.actualGops());
        row(
                sb,
                "energy/frame (nJ)",
                "%,.1f",
                fdht.energyPerFramePj() / 1e3,
                tie.energyPerFramePj() / 1e3,
                fdhtRowMajor.energyPerFramePj() / 1e3);
        row(
                sb,
                "  MACs",
                "%,.1f",
                fdht.energyMacPj() / 1e3,
                tie.energyMacPj() / 1e3,
                fdhtRowMajor.energyMacPj() / 1e3);
        row(
                sb,
                "  working SRAM",
                "%,.1f",
                fdht.energySramPj() / 1e3,
                tie.energySramPj() / 1e3,
                fdhtRowMajor.energySramPj() / 1e3);
        row(
                sb,
                "  weight SRAM",
                "%,.1f",
                fdht.energyWeightPj() / 1e3,
                tie.energyWeightPj() / 1e3,
                fdhtRowMajor.energyWeightPj() / 1e3);
        row(
                sb,
                "  leakage",
                "%,.1f",
                fdht.energyLeakagePj() / 1e3,
                tie.energyLeakagePj() / 1e3,
                fdhtRowMajor.energyLeakagePj() / 1e3);
        row(
                sb,
                "  clock and control",
                "%,.1f",
                fdht.energyClockPj() / 1e3,
                tie.energyClockPj() / 1e3,
                fdhtRowMajor.energyClockPj() / 1e3);
        if (dram)
            row(
                    sb,
                    "  DRAM",
                    "%,.1f",
                    fdht.energyDramPj() / 1e3,
                    tie.energyDramPj() / 1e3,
                    fdhtRowMajor.energyDramPj() / 1e3);
        row(sb, "power (mW)", "%.1f", fdht.powerMw(), tie.powerMw(), fdhtRowMajor.powerMw());
        row(sb, "area used (mm^2)", "%.3f", fdht.areaMm2(), tie.areaMm2(), fdhtRowMajor.areaMm2());
        row(
                sb,
                "area modelled (mm^2)",
                "%.3f",
                fdht.modelledAreaMm2(),
                tie.modelledAreaMm2(),
                fdhtRowMajor.modelledAreaMm2());
        row(
                sb,
                "GOPS/mm^2 (dense-eq.)",
                "%,.1f",
                fdht.gopsPerMm2(),
                tie.gopsPerMm2(),
                fdhtRowMajor.gopsPerMm2());
        row(
                sb,
                "GOPS/W (dense-eq.)",
                "%,.0f",
                fdht.gopsPerWatt(),
                tie.gopsPerWatt(),
                fdhtRowMajor.gopsPerWatt());
        sb.append(
                dram
                        ? "DRAM, counted above:\n"
                        : "DRAM, beside the on-chip figures (not counted; --dram counts it):\n");
        row(
                sb,
                "  words per frame",
                "%,.0f",
                fdht.dramWords(),
                tie.dramWords(),
                fdhtRowMajor.dramWords());
        row(
                sb,
                "  cycles per frame",
                "%,.0f",
                fdht.dramCycles(),
                tie.dramCycles(),
                fdhtRowMajor.dramCycles());
        row(
                sb,
                "  energy per frame (nJ)",
                "%,.1f",
                fdht.energyDramPj() / 1e3,
                tie.energyDramPj() / 1e3,
                fdhtRowMajor.energyDramPj() / 1e3);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "area used: TIE's published %.2f mm^2 (Deng et al., ISCA 2019); FDHT's modelled from its own config%n",
                        tie.areaMm2()));
        for (Simulation s : List.of(fdht, tie))
            for (String issue : s.capacityIssues())
                sb.append("CAPACITY ")
                        .append(s.accelerator())
                        .append(": ")
                        .append(issue)
                        .append('\n');
        sb.append('\n');
        stageTable(sb, fdht);
        stageTable(sb, tie);
        double[] ours = ourRatios(), paper = paperRatios();
        String[] names = {"throughput", "area efficiency", "energy efficiency"};
        sb.append(
                String.format(
                        "%-20s %10s %12s%n", "FDHT / TIE", "ours", paper == null ? "" : "paper"));
        for (int i = 0; i < 3; i++) {
            String p =
                    paper == null
                            ? ""
                            : Double.isNaN(paper[i])
                                    ? "comparable"
                                    : String.format(Locale.ROOT, "%.2fx", paper[i]);
            sb.append(String.format(Locale.ROOT, "%-20s %9.2fx %12s%n", names[i], ours[i], p));
        }
        if (paper == null)
            sb.append(
                    "(the paper's ratios are for its LSTM-UCF and LSTM-Youtube workloads only)\n");
        sb.append('\n').append(mechanisms()).append('\n');
        if (sensitivity != null) sb.append(deciding(sensitivity));
        return sb.toString();
    }

    private static long passCycles(Simulation s) {
        return s.stages().stream()
                .filter(c -> c.stage().startsWith("transform pass"))
                .mapToLong(StageCost::cycles)
                .sum();
    }

    private static long denseCycles(Simulation s) {
        return s.stages().stream()
                .filter(c -> c.stage().startsWith("dense"))
                .mapToLong(StageCost::cycles)
                .sum();
    }

    /** The mechanisms behind the ratios, with this run's numbers. */
    String mechanisms() {
        long fc = fdht.frameCycles(), tc = tie.frameCycles();
        long dense = denseCycles(tie), pass = passCycles(tie);
        long tieTensor = tie.onChipCycles() - dense - pass;
        double timeShareF =
                (fdht.energyLeakagePj() + fdht.energyClockPj()) / fdht.energyPerFramePj();
        double timeShareT = (tie.energyLeakagePj() + tie.energyClockPj()) / tie.energyPerFramePj();
        double[] r = ourRatios();
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "Throughput (%.2fx = TIE cycles / FDHT cycles = %,d / %,d): TIE's tensor stages take %,d cycles against FDHT's %,d; "
                                        + "its inter-stage transformation (%s layout) %,d stall and %,d pass cycles",
                                r[0],
                                tc,
                                fc,
                                tieTensor,
                                fdht.onChipCycles(),
                                tie.layout(),
                                tie.stallCycles(),
                                pass));
        if (dense > 0) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "; its dense W_h stage %,d cycles, set by dense_weight_words_per_cycle (each of the %,d weights is used "
                                    + "once per step at batch 1). The dense stage is a fixed cost per step, so it weighs more against a smaller plan: on the paper's "
                                    + "workloads it is what puts Youtube's ratio above UCF's (the transformation passes and bank conflicts favour UCF).",
                            dense,
                            workload.recurrentWeights()));
        } else {
            sb.append(
                    ". No dense stage here (TIE runs a TT over [x;h]): what is left is the format and the transformation, which favour the "
                            + "workload with the larger intermediates.");
        }
        if (dram)
            sb.append(
                    String.format(
                            Locale.ROOT,
                            " DRAM is counted: %,d cycles per frame for FDHT, %,d for TIE.",
                            fdht.dramCycles(),
                            tie.dramCycles()));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nEnergy efficiency (%.2fx = TIE energy / FDHT energy per frame): the time-proportional part (leakage and clock, "
                                + "per mm^2 of each chip's own area) is %.0f%% of FDHT's and %.0f%% of TIE's energy, so the ratio follows throughput scaled by the "
                                + "power ratio TIE/FDHT = %.2f; per-event energy adds %s%s.%n"
                                + "Area efficiency (%.2fx = throughput ratio x TIE area / FDHT area = %.2f x %.2f / %.2f): FDHT's area is modelled from its own "
                                + "config; the paper's area-efficiency ratios imply FDHT's chip is about 1.7x TIE's, a figure not public.",
                        r[2],
                        100 * timeShareF,
                        100 * timeShareT,
                        tie.powerMw() / fdht.powerMw(),
                        dense > 0
                                ? String.format(
                                        Locale.ROOT,
                                        "TIE's W_h weight reads (%.1f nJ) and transform traffic",
                                        denseWeightPj())
                                : "TIE's transform traffic",
                        dram
                                ? String.format(
                                        Locale.ROOT,
                                        "; DRAM is %.0f%% of FDHT's energy",
                                        100 * fdht.energyDramPj() / fdht.energyPerFramePj())
                                : "",
                        r[1],
                        r[0],
                        tie.areaMm2(),
                        fdht.areaMm2()));
        return sb.toString();
    }

    private double denseWeightPj() {
        return tie.stages().stream()
                .filter(c -> c.stage().startsWith("dense"))
                .findFirst()
                .map(
                        c ->
                                tie.energyWeightPj()
                                        / 1e3
                                        * c.weightReads()
                                        / Math.max(
                                                1,
                                                tie.stages().stream()
                                                        .mapToLong(StageCost::weightReads)
                                                        .sum()))
                .orElse(0.0);
    }

    private String deciding(Sensitivity s) {
        StringBuilder sb =
                new StringBuilder(
                        "Config entries that decide each ratio (moving it by more than 5% over their range; sourced entries are not varied):\n");
        for (boolean energy : new boolean[] {false, true}) {
            sb.append(energy ? "  energy efficiency: " : "  throughput:        ");
            List<Sensitivity.Row> rows = s.deciding(energy, 0.05);
            int more = Math.max(0, rows.size() - 6);
            rows = rows.subList(0, rows.size() - more);
            if (rows.isEmpty()) sb.append("none");
            for (int i = 0; i < rows.size(); i++) {
                Sensitivity.Row r = rows.get(i);
                sb.append(i == 0 ? "" : ", ")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "%s (%s, %s..%s: %.2f..%.2fx)",
                                        r.label(),
                                        r.mark().mark(),
                                        r.lowValue(),
                                        r.highValue(),
                                        energy ? r.energyLow() : r.throughputLow(),
                                        energy ? r.energyHigh() : r.throughputHigh()));
            }
            sb.append(more > 0 ? ", and " + more + " more (--sensitivity lists them)\n" : "\n");
        }
        sb.append("Fitted entries: ");
        boolean any = false;
        for (AcceleratorConfig c : List.of(fdhtConfig, tieConfig)) {
            for (Map.Entry<String, Provenance> e : c.provenance().entrySet()) {
                if (e.getValue().kind() != Provenance.Kind.FITTED) continue;
                sb.append(any ? "; " : "")
                        .append(c.name())
                        .append(' ')
                        .append(e.getKey())
                        .append(" = ")
                        .append(c.value(e.getKey()))
                        .append(" (")
                        .append(e.getValue().note())
                        .append(')');
                any = true;
            }
        }
        sb.append(any ? "\n" : "none\n");
        return sb.toString();
    }

    private static void stageTable(StringBuilder sb, Simulation s) {
        sb.append(String.format("%s stages (%s layout)%n", s.accelerator(), s.layout()));
        sb.append(
                String.format(
                        "  %-44s %12s %10s %8s %8s %12s %12s%n",
                        "stage", "MACs", "cycles", "stalls", "util.", "SRAM reads", "SRAM writes"));
        for (StageCost c : s.stages()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %-44s %,12d %,10d %,8d %7.1f%% %,12d %,12d%n",
                            c.stage(),
                            c.macs(),
                            c.cycles(),
                            c.stallCycles(),
                            100 * c.utilization(),
                            c.sramReads(),
                            c.sramWrites()));
        }
        sb.append('\n');
    }

    private static void row(
            StringBuilder sb, String label, String fmt, double a, double b, double c) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-30s %16s %16s %16s%n",
                        label,
                        String.format(Locale.ROOT, fmt, a),
                        String.format(Locale.ROOT, fmt, b),
                        String.format(Locale.ROOT, fmt, c)));
    }

    /** The comparison as JSON (numbers only, stable key order) for golden files and tools. */
    public String toJson() {
        StringBuilder sb =
                new StringBuilder(
                        "{\n  \"workload\": \""
                                + workload.name()
                                + "\",\n  \"variant\": \""
                                + variant.key()
                                + "\",\n  \"dram_counted\": "
                                + dram
                                + ",\n");
        json(sb, "fdht", fdht);
        sb.append(",\n");
        json(sb, "tie", tie);
        sb.append(",\n");
        json(sb, "fdht_row_major", fdhtRowMajor);
        double[] r = ourRatios();
        sb.append(
                String.format(
                        Locale.ROOT,
                        ",\n  \"ratios\": {\"throughput\": %.4f, \"area_efficiency\": %.4f, \"energy_efficiency\": %.4f}\n}%n",
                        r[0],
                        r[1],
                        r[2]));
        return sb.toString();
    }

    private static void json(StringBuilder sb, String key, Simulation s) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  \"%s\": {\"macs\": %d, \"cycles\": %d, \"stall_cycles\": %d, \"dram_words\": %d, \"dram_cycles\": %d, "
                                + "\"frames_per_s\": %.2f, \"dense_gops\": %.4f, \"actual_gops\": %.4f, \"energy_pj\": %.2f, \"dram_energy_pj\": %.2f, \"area_mm2\": %.5f, "
                                + "\"power_mw\": %.4f, \"stages\": [",
                        key,
                        s.macsPerFrame(),
                        s.frameCycles(),
                        s.stallCycles(),
                        s.dramWords(),
                        s.dramCycles(),
                        s.framesPerSecond(),
                        s.denseGops(),
                        s.actualGops(),
                        s.energyPerFramePj(),
                        s.energyDramPj(),
                        s.areaMm2(),
                        s.powerMw()));
        for (int i = 0; i < s.stages().size(); i++) {
            StageCost c = s.stages().get(i);
            sb.append(i == 0 ? "" : ", ")
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    "{\"macs\": %d, \"cycles\": %d, \"stalls\": %d}",
                                    c.macs(),
                                    c.cycles(),
                                    c.stallCycles()));
        }
        sb.append("]}");
    }
}
