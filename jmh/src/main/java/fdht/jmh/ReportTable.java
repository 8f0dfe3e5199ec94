package fdht.jmh;

import fdht.layout.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into a Markdown report: the machine's limits
 * measured in the same run (FMA peak, read bandwidth), per-frame latency by model and batch with
 * ratios against ONNX Runtime's dense LSTM and fdht's own dense step, the targets of the
 * performance issue (met or missed, by how much), thread scaling, and every result with its error,
 * GFLOP/s, fraction of the peak, bytes moved and allocation per operation. With {@code --charts
 * DIR} it also writes PNG charts (see {@link ReportCharts}); {@code --env FILE} puts a description
 * of the machine at the top. Usage: {@code ./fdht report RESULT.json... [--charts DIR] [--env
 * FILE]}; a result in a later file replaces one of the same benchmark and parameters in an earlier
 * file, so a rerun is passed last.
 */
public final class ReportTable {
    private ReportTable() {}

    record Row(
            String benchmark,
            Map<String, String> params,
            double score,
            double error,
            String unit,
            Double allocPerOp) {
        String name() {
            return benchmark.substring(
                    benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        }

        int param(String key, int otherwise) {
            return params.containsKey(key) ? Integer.parseInt(params.get(key)) : otherwise;
        }

        String model() {
            return params.getOrDefault("model", "");
        }

        /** Microseconds per operation, NaN for other units. */
        double micros() {
            return switch (unit) {
                case "us/op" -> score;
                case "ns/op" -> score / 1e3;
                case "ms/op" -> score * 1e3;
                default -> Double.NaN;
            };
        }
    }

    /** The roofs measured in one result file. */
    record Limits(double peakGflops, double readGBs) {
        static Limits of(List<Row> rows) {
            double peak = Double.NaN, bw = Double.NaN;
            for (Row r : rows) {
                if (r.name().equals("FmaPeakBenchmark.fma"))
                    peak = 2.0 * FmaPeakBenchmark.lanes() / (r.micros() * 1e3);
                if (r.name().equals("MemoryBandwidthBenchmark.read"))
                    bw = MemoryBandwidthBenchmark.BYTES / r.micros() / 1e3;
            }
            return new Limits(peak, bw);
        }
    }

    public static void main(String[] args) throws IOException {
        Path charts = null, env = null;
        List<Row> rows = new ArrayList<>();
        for (int a = 0; a < args.length; a++) {
            switch (args[a]) {
                case "--charts" -> charts = Path.of(value(args, ++a));
                case "--env" -> env = Path.of(value(args, ++a));
                default -> {
                    if (args[a].startsWith("--")) usage();
                    rows = merge(rows, parse(Files.readString(Path.of(args[a]))));
                }
            }
        }
        if (rows.isEmpty()) usage();
        StringBuilder md = new StringBuilder();
        if (env != null)
            md.append("```\n").append(Files.readString(env).strip()).append("\n```\n\n");
        md.append(render(rows));
        if (charts != null) {
            ReportCharts.write(rows, charts);
            md.append("\n![per-frame latency](")
                    .append(charts.getFileName())
                    .append("/latency.png)\n\n![roofline](")
                    .append(charts.getFileName())
                    .append("/roofline.png)\n");
        }
        System.out.print(md);
    }

    private static String value(String[] args, int a) {
        if (a >= args.length) usage();
        return args[a];
    }

    private static void usage() {
        System.err.println("usage: ReportTable JMH-RESULT.json... [--charts DIR] [--env FILE]");
        System.exit(2);
    }

    /**
     * The rows of both lists; a later row replaces an earlier one of the same benchmark and
     * parameters (a rerun passed last wins).
     */
    static List<Row> merge(List<Row> earlier, List<Row> later) {
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row r : earlier) byKey.put(r.benchmark() + r.params(), r);
        for (Row r : later) byKey.put(r.benchmark() + r.params(), r);
        return new ArrayList<>(byKey.values());
    }

    static List<Row> parse(String json) {
        List<Row> rows = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(json)) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") instanceof Map<?, ?> p)
                p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            Map<?, ?> pm = (Map<?, ?>) r.get("primaryMetric");
            Double alloc = null;
            if (r.get("secondaryMetrics") instanceof Map<?, ?> sm
                    && sm.get("gc.alloc.rate.norm") instanceof Map<?, ?> a)
                alloc = number(a.get("score"));
            rows.add(
                    new Row(
                            (String) r.get("benchmark"),
                            params,
                            number(pm.get("score")),
                            number(pm.get("scoreError")),
                            (String) pm.get("scoreUnit"),
                            alloc));
        }
        return rows;
    }

    private static double number(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    static String render(List<Row> rows) {
        Limits lim = Limits.of(rows);
        StringBuilder sb = new StringBuilder();
        sb.append("## Machine limits, measured in this run\n\n");
        sb.append(
                String.format(
                        "- FMA peak (one core, %d-lane Vector API FMA): **%s GFLOP/s**%n",
                        FmaPeakBenchmark.lanes(), fmt(lim.peakGflops())));
        sb.append(
                String.format(
                        "- memory read bandwidth (one core, %d MiB native segment): **%s GB/s**%n%n",
                        MemoryBandwidthBenchmark.BYTES >> 20, fmt(lim.readGBs())));
        latency(rows, lim, sb);
        MfmReport.section(rows, lim, sb);
        targets(rows, lim, sb);
        all(rows, lim, sb);
        return sb.toString();
    }

    /** Per-frame latency: one row per (benchmark, model, rank), one column per batch. */
    private static void latency(List<Row> rows, Limits lim, StringBuilder sb) {
        TreeSet<Integer> batches = new TreeSet<>();
        Map<String, Map<Integer, Row>> series = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!isFrameStep(r)) continue;
            batches.add(r.param("batch", 1));
            series.computeIfAbsent(seriesName(r), k -> new LinkedHashMap<>())
                    .put(r.param("batch", 1), r);
        }
        if (series.isEmpty()) return;
        boolean torch = rows.stream().anyMatch(r -> r.name().equals(TORCH));
        sb.append("## Per-frame latency (one thread), us per frame\n\n");
        sb.append(
                "Ratio: ONNX Runtime's dense LSTM per frame at the same batch divided by this row's; clip rows against ORT over the same 6-frame clip"
                        + " (`ortClip`, which reads W_x once per clip), every other row against ORT one frame-step per call (`ortStep`)."
                        + (torch
                                ? " vs PyTorch: the staged-einsum HT-LSTM of the same shapes (`tools/torch_einsum_lstm.py`, one thread) per frame at the same batch divided by this row's."
                                : "")
                        + "\n\n| what | model | rank |");
        for (int b : batches)
            sb.append(" batch ")
                    .append(b)
                    .append(" | vs ORT |")
                    .append(torch ? " vs PyTorch |" : "");
        sb.append("\n|---|---|---|");
        for (int ignored : batches) sb.append(torch ? "---|---|---|" : "---|---|");
        sb.append('\n');
        for (var e : series.entrySet()) {
            Row any = e.getValue().values().iterator().next();
            sb.append("| ")
                    .append(any.name())
                    .append(" | ")
                    .append(any.model().isEmpty() ? "both (dense shape)" : any.model())
                    .append(" | ")
                    .append(any.params().containsKey("rank") ? any.params().get("rank") : "")
                    .append(" |");
            for (int b : batches) {
                Row r = e.getValue().get(b);
                if (r == null) {
                    sb.append(torch ? "  |  |  |" : "  |  |");
                    continue;
                }
                double perFrame = perFrame(r);
                Row ort =
                        find(
                                rows,
                                r.name().endsWith("Clip")
                                        ? "DensePeersBenchmark.ortClip"
                                        : "DensePeersBenchmark.ortStep",
                                b);
                sb.append(' ')
                        .append(fmt(perFrame))
                        .append(" | ")
                        .append(ort == null ? "" : fmt(perFrame(ort) / perFrame) + "x")
                        .append(" |");
                if (torch) {
                    Row t =
                            find(
                                    rows,
                                    TORCH,
                                    r.model().isEmpty() ? "ucf" : r.model(),
                                    r.param("rank", 4),
                                    b,
                                    1);
                    sb.append(' ')
                            .append(t == null ? "" : fmt(perFrame(t) / perFrame) + "x")
                            .append(" |");
                }
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    /**
     * The PyTorch peer's result name ({@code tools/torch_einsum_lstm.py} writes it as JMH-shaped
     * JSON).
     */
    static final String TORCH = "TorchEinsumLstm.step";

    private static boolean isFrameStep(Row r) {
        String n = r.name();
        return n.equals(TORCH)
                || n.startsWith("LstmStepBenchmark")
                || n.startsWith("LstmVariantsBenchmark")
                || n.startsWith("HtPlanBenchmark")
                || (n.startsWith("DensePeersBenchmark") && !n.endsWith("ortIdentity"));
    }

    private static String seriesName(Row r) {
        return r.name()
                + "|"
                + r.model()
                + "|"
                + r.params().getOrDefault("rank", "")
                + "|"
                + r.params().getOrDefault("threads", "");
    }

    static double perFrame(Row r) {
        Costs c = Costs.of(r);
        return r.micros() / Math.max(1, c.frames() == 0 ? r.param("batch", 1) : c.frames());
    }

    static Row find(List<Row> rows, String name, int batch) {
        for (Row r : rows) if (r.name().equals(name) && r.param("batch", 1) == batch) return r;
        return null;
    }

    private static Row find(
            List<Row> rows, String name, String model, int rank, int batch, int threads) {
        for (Row r : rows) {
            if (r.name().equals(name)
                    && r.model().equals(model)
                    && r.param("rank", 0) == rank
                    && r.param("batch", 1) == batch
                    && r.param("threads", 1) == threads) return r;
        }
        return null;
    }

    /** The performance issue's targets, each with its measured figure. */
    private static void targets(List<Row> rows, Limits lim, StringBuilder sb) {
        sb.append("## Targets\n\n| target | measured | |\n|---|---|---|\n");
        Row step = find(rows, "LstmStepBenchmark.fdhtStep", "ucf", 4, 1, 1);
        if (step != null) {
            double limit = Costs.of(step).limitMicros(lim.peakGflops(), lim.readGBs());
            double x = step.micros() / limit;
            sb.append(
                    String.format(
                            "| LSTM-UCF rank 4 frame-step, batch 1, one thread, within 1.5x of its physical limit | %s us; limit %s us (%s MFLOP at peak + frame at read bandwidth): %.2fx the limit | %s |%n",
                            fmt(step.micros()),
                            fmt(limit),
                            fmt(Costs.of(step).flops() / 1e6),
                            x,
                            x <= 1.5 ? "met" : "missed"));
            Row ort = find(rows, "DensePeersBenchmark.ortStep", 1);
            if (ort != null) {
                double ratio = ort.micros() / step.micros();
                sb.append(
                        String.format(
                                "| FDHT-LSTM at least 40x faster per frame than ONNX Runtime's dense LSTM, batch 1, one thread each: one frame-step per call | ORT %s us vs FDHT %s us: %.0fx | %s |%n",
                                fmt(ort.micros()),
                                fmt(step.micros()),
                                ratio,
                                ratio >= 40 ? "met" : "missed"));
            }
            Row ortClip = find(rows, "DensePeersBenchmark.ortClip", 1),
                    clip = find(rows, "LstmStepBenchmark.fdhtClip", "ucf", 4, 1, 1);
            if (ortClip != null && clip != null) {
                double ratio = perFrame(ortClip) / perFrame(clip);
                sb.append(
                        String.format(
                                "| the same, per frame of a 6-frame clip (ORT reads W_x once per clip) | ORT %s us vs FDHT %s us per frame: %.0fx | %s |%n",
                                fmt(perFrame(ortClip)),
                                fmt(perFrame(clip)),
                                ratio,
                                ratio >= 40 ? "met" : "missed"));
            }
        }
        for (int b : new int[] {1, 16}) {
            Row fdht = find(rows, "LstmStepBenchmark.fdhtStep", "ucf", 4, b, 1),
                    torch = find(rows, TORCH, "ucf", 4, b, 1);
            if (fdht != null && torch != null) {
                double ratio = perFrame(torch) / perFrame(fdht);
                sb.append(
                        String.format(
                                "| at least 10x PyTorch's staged-einsum HT-LSTM per frame, LSTM-UCF rank 4, batch %d, one thread each | PyTorch %s us vs FDHT %s us per frame: %.1fx | %s |%n",
                                b,
                                fmt(perFrame(torch)),
                                fmt(perFrame(fdht)),
                                ratio,
                                ratio >= 10 ? "met" : "missed"));
            }
        }
        MfmReport.targets(rows, lim, sb);
        double best = 0;
        String bestName = "";
        double worst = Double.MAX_VALUE;
        // judged on the stage kernel the library runs (the lane layout); the row-folded
        // HtStageBenchmark rows are its contrast, in the table above
        for (Row r : rows) {
            if (!r.name().equals("LaneStageBenchmark.stage") || r.param("batch", 1) < 16) continue;
            double f = Costs.of(r).flops() / r.micros() / 1e3 / lim.peakGflops();
            if (f > best) {
                best = f;
                bestName =
                        (r.name().startsWith("Lane") ? "lane layout " : "")
                                + r.model()
                                + " r"
                                + r.param("rank", 0)
                                + " b"
                                + r.param("batch", 1)
                                + " stage "
                                + r.param("stage", 0);
            }
            worst = Math.min(worst, f);
        }
        if (best > 0) {
            sb.append(
                    String.format(
                            "| HT stages at batch >= 16 at least 70%% of the FMA peak (lane layout) | %.0f%% to %.0f%% (best: %s) | %s |%n",
                            100 * worst,
                            100 * best,
                            bestName,
                            worst >= 0.7 ? "met" : best >= 0.7 ? "met by some stages" : "missed"));
        }
        for (int b : new int[] {16, 64}) {
            Row one = find(rows, "ThreadScalingBenchmark.fdhtStep", "ucf", 4, b, 1),
                    two = find(rows, "ThreadScalingBenchmark.fdhtStep", "ucf", 4, b, 2);
            if (one != null && two != null) {
                double s = one.micros() / two.micros();
                sb.append(
                        String.format(
                                "| two threads at least 1.8x one thread per clip-frame (batch %d) | %s -> %s us: %.2fx | %s |%n",
                                b,
                                fmt(one.micros()),
                                fmt(two.micros()),
                                s,
                                b == 64 ? (s >= 1.8 ? "met" : "missed") : "(reported)"));
            }
        }
        // JMH's own allocation is per second of iteration, not per op: the floor measured on an
        // allocation-free loop, scaled to each op's length, is what a step allocating nothing shows
        Row floor = null;
        for (Row r : rows) if (r.name().equals("GcFloorBenchmark.burn")) floor = r;
        Row heaviest = null;
        double allocExcess = Double.NEGATIVE_INFINITY, allocFloor = 0;
        for (Row r : rows) {
            if (!(r.name().equals("LstmStepBenchmark.fdhtStep")
                            || r.name().equals("ThreadScalingBenchmark.fdhtStep"))
                    || r.allocPerOp() == null) continue;
            double f =
                    floor != null && floor.allocPerOp() != null
                            ? floor.allocPerOp() * r.micros() / floor.micros()
                            : 0;
            if (r.allocPerOp() - f > allocExcess) {
                allocExcess = r.allocPerOp() - f;
                heaviest = r;
                allocFloor = f;
            }
        }
        if (heaviest != null) {
            sb.append(
                    String.format(
                            "| 0 B/op allocated per FDHT-LSTM step | worst against the profiler's floor: %.1f B/op (%s %s r%d b%d), floor scaled to that op's length %.1f B/op%s | %s |%n",
                            heaviest.allocPerOp(),
                            heaviest.name(),
                            heaviest.model(),
                            heaviest.param("rank", 0),
                            heaviest.param("batch", 1),
                            allocFloor,
                            floor == null ? " (no GcFloorBenchmark in this run)" : "",
                            allocExcess < 16
                                    ? "met (within the profiler's noise; the JVM's own count is 0, see StepAllocationTest)"
                                    : "missed"));
        }
        sb.append('\n');
    }

    private static void all(List<Row> rows, Limits lim, StringBuilder sb) {
        sb.append(
                "## Every result\n\nGFLOP/s: 2 x the multiply-adds of the plan the benchmark runs. Bytes: inputs, weights and outputs moved once.\n\n");
        sb.append(
                "| benchmark | model | rank | batch | threads | stage | time | per frame | GFLOP/s | of FMA peak | GB/s moved | alloc B/op |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Costs c = Costs.of(r);
            double us = r.micros();
            double gflops = c.flops() > 0 ? c.flops() / us / 1e3 : Double.NaN;
            if (r.name().equals("FmaPeakBenchmark.fma")) gflops = lim.peakGflops();
            double gbs =
                    c.bytes() > 0
                            ? c.bytes() / us / 1e3
                            : r.name().equals("MemoryBandwidthBenchmark.read")
                                    ? lim.readGBs()
                                    : Double.NaN;
            int stage = r.param("stage", -1);
            sb.append(
                    String.format(
                            "| %s | %s | %s | %s | %s | %s | %s ± %s %s | %s | %s | %s | %s | %s |%n",
                            r.name(),
                            r.model(),
                            r.params().getOrDefault("rank", ""),
                            r.params().getOrDefault("batch", ""),
                            r.params().getOrDefault("threads", ""),
                            stage >= 0 ? stage : "",
                            fmt(r.score()),
                            fmt(r.error()),
                            r.unit(),
                            c.frames() > 0 ? fmt(perFrame(r)) + " us" : "",
                            Double.isNaN(gflops) ? "" : fmt(gflops),
                            Double.isNaN(gflops) || Double.isNaN(lim.peakGflops())
                                    ? ""
                                    : String.format("%.0f%%", 100 * gflops / lim.peakGflops()),
                            Double.isNaN(gbs) ? "" : fmt(gbs),
                            r.allocPerOp() == null ? "" : String.format("%.1f", r.allocPerOp())));
        }
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (v >= 100) return String.format("%,.0f", v);
        if (v >= 1) return String.format("%.2f", v);
        return String.format("%.3g", v);
    }
}
