package fdht.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of a JMH result file (XChart): per-frame latency by model, variant and batch (log
 * scales), and a roofline with every kernel placed on it (GFLOP/s against FLOPs per byte moved;
 * the roofs are the FMA peak and read bandwidth measured in the same file).
 */
final class ReportCharts {
    private ReportCharts() {}

    static void write(List<ReportTable.Row> rows, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        latency(rows, dir.resolve("latency.png"));
        roofline(rows, dir.resolve("roofline.png"));
    }

    private static final List<String> LATENCY = List.of("LstmStepBenchmark.fdhtStep", "LstmVariantsBenchmark.ttStep", "LstmVariantsBenchmark.htInputStep",
            "LstmVariantsBenchmark.fdhtStepScalar", "DensePeersBenchmark.denseStep", "DensePeersBenchmark.ortStep", "DensePeersBenchmark.blasNative",
            "DensePeersBenchmark.blasJava");

    private static void latency(List<ReportTable.Row> rows, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title("Per-frame latency, one thread (log scales)").xAxisTitle("batch")
                .yAxisTitle("us per frame").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String name : LATENCY) {
            for (ReportTable.Row r : rows) {
                if (!r.name().equals(name)) continue;
                String label = name.substring(name.indexOf('.') + 1) + (r.model().isEmpty() ? "" : " " + r.model()) + (r.params().containsKey("rank") ? " r" + r.params().get("rank") : "");
                series.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[]{r.param("batch", 1), ReportTable.perFrame(r)});
            }
        }
        series.forEach((label, pts) -> {
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            chart.addSeries(label, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()).setMarker(SeriesMarkers.CIRCLE);
        });
        save(chart, png);
    }

    private static void roofline(List<ReportTable.Row> rows, Path png) throws IOException {
        ReportTable.Limits lim = ReportTable.Limits.of(rows);
        XYChart chart = new XYChartBuilder().width(1000).height(600).title("Roofline, one core").xAxisTitle("FLOP per byte moved").yAxisTitle("GFLOP/s").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        if (!Double.isNaN(lim.peakGflops()) && !Double.isNaN(lim.readGBs())) {
            double knee = lim.peakGflops() / lim.readGBs();
            chart.addSeries(String.format("roof: %.0f GFLOP/s, %.0f GB/s", lim.peakGflops(), lim.readGBs()), new double[]{0.05, knee, 2000},
                    new double[]{0.05 * lim.readGBs(), lim.peakGflops(), lim.peakGflops()}).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
                    .setMarker(SeriesMarkers.NONE);
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (ReportTable.Row r : rows) {
            Costs c = Costs.of(r);
            if (c.flops() <= 0 || c.bytes() <= 0 || r.name().contains("Scalar")) continue;
            String label = r.name().replace("Benchmark", "");
            series.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[]{c.flops() / c.bytes(), c.flops() / r.micros() / 1e3});
        }
        series.forEach((label, pts) -> chart.addSeries(label, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()));
        save(chart, png);
    }

    private static void save(Chart<?, ?> chart, Path png) throws IOException {
        // XChart appends ".png" itself; write beside the target, then move into place
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(png.resolveSibling(tmp.getFileName() + ".png"), png, StandardCopyOption.REPLACE_EXISTING);
    }
}
