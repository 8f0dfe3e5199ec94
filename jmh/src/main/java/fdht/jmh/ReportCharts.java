package fdht.jmh;

import fdht.layout.io.AtomicOutputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of a JMH result file (XChart): per-frame latency as grouped bars (one group per model,
 * rank and batch, each peer's time relative to FDHT-LSTM's written on its bar), and a roofline with
 * every kernel placed on it (GFLOP/s against FLOPs per byte moved; the roofs are the FMA peak and
 * read bandwidth measured in the same file on one core; points of two threads are labelled so and
 * drawn against twice the one-core compute roof, an upper bound). The two charts appear together or
 * not at all ({@link AtomicOutputs}).
 */
final class ReportCharts {
    private ReportCharts() {}

    static void write(List<ReportTable.Row> rows, Path dir) {
        System.setProperty("java.awt.headless", "true");
        try (AtomicOutputs outputs = new AtomicOutputs()) {
            Path latency = outputs.fileIn(dir, "latency.png"),
                    roofline = outputs.fileIn(dir, "roofline.png");
            save(latency(rows), latency, outputs);
            save(roofline(rows), roofline, outputs);
            outputs.commit();
        }
    }

    /**
     * The peers of the latency chart, in bar order; FDHT-LSTM's step is the reference every bar is
     * divided by.
     */
    private static final List<String> LATENCY =
            List.of(
                    "LstmStepBenchmark.fdhtStep",
                    "LstmVariantsBenchmark.ttStep",
                    "LstmVariantsBenchmark.htInputStep",
                    ReportTable.TORCH,
                    "DensePeersBenchmark.ortStep",
                    "DensePeersBenchmark.denseStep",
                    "DensePeersBenchmark.blasNative",
                    "DensePeersBenchmark.blasJava",
                    "LstmVariantsBenchmark.fdhtStepScalar");

    /**
     * Grouped bars: one group per model, rank and batch that FDHT-LSTM's step was measured at, one
     * bar per peer measured at the same batch (and model and rank, where the peer has them), its
     * height and its label the peer's time per frame divided by FDHT-LSTM's (so the FDHT bar is 1x
     * and every label reads "how many times slower"); FDHT's own microseconds per frame are in the
     * group's name.
     */
    /** The latency chart's data: group names and, per peer, one ratio (or null) per group. */
    record LatencyBars(List<String> groups, Map<String, List<Double>> ratios) {}

    static LatencyBars latencyBars(List<ReportTable.Row> rows) {
        List<ReportTable.Row> refs = new ArrayList<>();
        for (ReportTable.Row r : rows)
            if (r.name().equals(LATENCY.get(0)) && r.param("threads", 1) == 1) refs.add(r);
        refs.sort(
                java.util.Comparator.comparing(ReportTable.Row::model)
                        .thenComparingInt(r -> r.param("rank", 0))
                        .thenComparingInt(r -> r.param("batch", 1)));
        List<String> groups = new ArrayList<>();
        for (ReportTable.Row ref : refs) {
            groups.add(
                    String.format(
                            "%s r%d b%d (%s us)",
                            ref.model(),
                            ref.param("rank", 0),
                            ref.param("batch", 1),
                            ReportTable.fmt(ReportTable.perFrame(ref))));
        }
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (String name : LATENCY) {
            List<Double> rs = new ArrayList<>();
            boolean any = false;
            for (ReportTable.Row ref : refs) {
                ReportTable.Row peer = peerOf(rows, name, ref);
                Double ratio =
                        peer == null
                                ? null
                                : ReportTable.perFrame(peer) / ReportTable.perFrame(ref);
                rs.add(ratio);
                any |= ratio != null;
            }
            if (any) ratios.put(name.replace("Benchmark", ""), rs);
        }
        return new LatencyBars(groups, ratios);
    }

    static CategoryChart latency(List<ReportTable.Row> rows) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(1200)
                        .height(650)
                        .title(
                                "Per-frame time relative to the FDHT-LSTM step, one thread (log scale; labels: x FDHT's time)")
                        .xAxisTitle("model, rank, batch (FDHT-LSTM's us per frame)")
                        .yAxisTitle("x FDHT-LSTM's time per frame")
                        .build();
        chart.getStyler().setLabelsVisible(true).setLabelsRotation(90);
        chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("#,##0.#'x'");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        LatencyBars bars = latencyBars(rows);
        // XChart's log axis needs its floor set for bars (they grow from it): half the smallest
        // ratio
        double min =
                bars.ratios().values().stream()
                        .flatMap(List::stream)
                        .filter(java.util.Objects::nonNull)
                        .mapToDouble(Double::doubleValue)
                        .min()
                        .orElse(1);
        chart.getStyler().setYAxisMin(min / 2);
        if (bars.groups().isEmpty()) {
            chart.addSeries("no FDHT-LSTM step in these results", List.of("none"), List.of(1.0));
        }
        bars.ratios().forEach((name, rs) -> chart.addSeries(name, bars.groups(), rs));
        return chart;
    }

    /**
     * The row of benchmark {@code name} at {@code ref}'s batch and, where it has them, model and
     * rank; one thread.
     */
    private static ReportTable.Row peerOf(
            List<ReportTable.Row> rows, String name, ReportTable.Row ref) {
        for (ReportTable.Row r : rows) {
            if (!r.name().equals(name)
                    || r.param("batch", 1) != ref.param("batch", 1)
                    || r.param("threads", 1) != 1) continue;
            if (!r.model().isEmpty() && !r.model().equals(ref.model())) continue;
            if (r.params().containsKey("rank") && r.param("rank", 0) != ref.param("rank", 0))
                continue;
            return r;
        }
        return null;
    }

    static XYChart roofline(List<ReportTable.Row> rows) {
        ReportTable.Limits lim = ReportTable.Limits.of(rows);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (ReportTable.Row r : rows) {
            Costs c = Costs.of(r);
            if (c.flops() <= 0 || c.bytes() <= 0 || r.name().contains("Scalar")) continue;
            int threads = r.param("threads", 1);
            String label =
                    r.name().replace("Benchmark", "")
                            + (threads > 1 ? " (" + threads + " threads)" : "");
            series.computeIfAbsent(label, k -> new ArrayList<>())
                    .add(new double[] {c.flops() / c.bytes(), c.flops() / r.micros() / 1e3});
        }
        XYChart chart =
                new XYChartBuilder()
                        .width(1000)
                        .height(560 + 21 * (series.size() + 2)) // the legend below the plot
                        .title(
                                "Roofline (roofs measured on one core; 2-thread points under the 2-core compute roof)")
                        .xAxisTitle("FLOP per byte moved")
                        .yAxisTitle("GFLOP/s")
                        .build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        // the legend below, not beside: beside, its long entries narrow the plot, and XChart then
        // centres the title over the narrow plot and cuts it at the chart's left edge
        chart.getStyler()
                .setXAxisLogarithmic(true)
                .setYAxisLogarithmic(true)
                .setLegendPosition(Styler.LegendPosition.OutsideS);
        if (!Double.isNaN(lim.peakGflops()) && !Double.isNaN(lim.readGBs())) {
            double knee = lim.peakGflops() / lim.readGBs();
            chart.addSeries(
                            String.format(
                                    "roof: %.0f GFLOP/s, %.0f GB/s",
                                    lim.peakGflops(), lim.readGBs()),
                            new double[] {0.05, knee, 2000},
                            new double[] {0.05 * lim.readGBs(), lim.peakGflops(), lim.peakGflops()})
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
                    .setMarker(SeriesMarkers.NONE);
            if (rows.stream().anyMatch(r -> r.param("threads", 1) > 1)) {
                // no two-core measurement of peak or bandwidth: twice the one-core peak is an upper
                // bound, drawn as such
                chart.addSeries(
                                String.format(
                                        "2-core compute roof: 2 x %.0f GFLOP/s (upper bound, not measured)",
                                        lim.peakGflops()),
                                new double[] {knee, 2000},
                                new double[] {2 * lim.peakGflops(), 2 * lim.peakGflops()})
                        .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
                        .setMarker(SeriesMarkers.NONE);
            }
        }
        series.forEach(
                (label, pts) ->
                        chart.addSeries(
                                label,
                                pts.stream().mapToDouble(p -> p[0]).toArray(),
                                pts.stream().mapToDouble(p -> p[1]).toArray()));
        return chart;
    }

    private static void save(Chart<?, ?> chart, Path png, AtomicOutputs outputs) {
        outputs.write(
                png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
