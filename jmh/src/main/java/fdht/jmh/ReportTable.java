package fdht.jmh;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a JMH JSON result file ({@code -rf json -rff FILE}) into a Markdown table: every result
 * with its error, allocation per operation (when the gc profiler ran), GFLOP/s of the HT
 * benchmarks (2 x the plan's MACs per operation, from the planner), their fraction of the FMA
 * peak measured in the same file, and the speed-up of the FDHT step over the dense step at the
 * same batch. Usage: {@code java -cp jmh/target/benchmarks.jar fdht.jmh.ReportTable FILE}.
 */
public final class ReportTable {
    private ReportTable() {}

    record Row(String benchmark, Map<String, String> params, double score, double error, String unit, Double allocPerOp) {
        String name() { return benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1); }
        int param(String key, int otherwise) { return params.containsKey(key) ? Integer.parseInt(params.get(key)) : otherwise; }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ReportTable JMH-RESULT.json");
            System.exit(2);
        }
        System.out.print(render(parse(Files.readString(Path.of(args[0])))));
    }

    static List<Row> parse(String json) {
        List<Row> rows = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(json)) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") instanceof Map<?, ?> p) p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            Map<?, ?> pm = (Map<?, ?>) r.get("primaryMetric");
            Double alloc = null;
            if (r.get("secondaryMetrics") instanceof Map<?, ?> sm && sm.get("gc.alloc.rate.norm") instanceof Map<?, ?> a) alloc = number(a.get("score"));
            rows.add(new Row((String) r.get("benchmark"), params, number(pm.get("score")), number(pm.get("scoreError")), (String) pm.get("scoreUnit"), alloc));
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
        double peak = Double.NaN;
        for (Row r : rows) {
            if (r.name().equals("FmaPeakBenchmark.fma") && r.unit().equals("ns/op")) peak = 2.0 * FmaPeakBenchmark.lanes() / r.score();
        }
        Map<Integer, Double> dense = new LinkedHashMap<>();
        for (Row r : rows) if (r.name().equals("DenseStepBenchmark.denseStep")) dense.put(r.param("batch", 1), r.score());
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | rank | batch | stage | time | per frame | GFLOP/s | of FMA peak | vs dense step | alloc B/op |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            int batch = r.param("batch", 1), rank = r.param("rank", 0), stage = r.param("stage", -1);
            long macs = macs(r, rank, batch, stage);
            double micros = r.unit().equals("us/op") ? r.score() : Double.NaN;
            double gflops = macs > 0 && micros > 0 ? 2.0 * macs / micros / 1e3 : Double.NaN;
            if (r.name().equals("FmaPeakBenchmark.fma")) gflops = peak;
            String vsDense = "";
            if (r.name().startsWith("LstmStepBenchmark") && dense.containsKey(batch)) vsDense = String.format("%.0fx faster", dense.get(batch) / r.score());
            sb.append(String.format("| %s | %s | %s | %s | %s ± %s %s | %s | %s | %s | %s | %s |%n", r.name(),
                    rank > 0 ? rank : "", r.params().containsKey("batch") ? batch : "", stage >= 0 ? stage + 1 : "",
                    fmt(r.score()), fmt(r.error()), r.unit(),
                    r.unit().equals("us/op") && r.params().containsKey("batch") ? fmt(r.score() / batch) + " us" : "",
                    Double.isNaN(gflops) ? "" : String.format("%.1f", gflops),
                    Double.isNaN(gflops) || Double.isNaN(peak) ? "" : String.format("%.0f%%", 100 * gflops / peak),
                    vsDense, r.allocPerOp() == null ? "" : String.format("%.1f", r.allocPerOp())));
        }
        if (!Double.isNaN(peak)) sb.append(String.format("%nFMA peak measured in this run: %.1f GFLOP/s (one core, %d-lane FMA).%n", peak, FmaPeakBenchmark.lanes()));
        return sb.toString();
    }

    /** MACs per operation of the HT benchmarks, 0 for others. */
    private static long macs(Row r, int rank, int batch, int stage) {
        String n = r.name();
        if (rank == 0 || !(n.startsWith("LstmStep") || n.startsWith("HtStage") || n.startsWith("HtPlan"))) return 0;
        ContractionPlan plan = ContractionPlanner.plan(LstmUcf.format(rank), batch);
        return stage >= 0 ? plan.stages().get(stage).macs() : plan.totalMacs();
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (v >= 100) return String.format("%,.0f", v);
        if (v >= 1) return String.format("%.2f", v);
        return String.format("%.3g", v);
    }
}
