package fdht.cli;

import fdht.accel.Sensitivity;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A tornado chart of a {@link Sensitivity}: one horizontal bar per varied config entry (largest
 * swing on top) from the ratio at its low setting to the ratio at its high setting, throughput and
 * energy efficiency side by side, each labelled with the entry, its provenance and its range, with
 * the default ratios and the paper's as vertical lines. XChart has no horizontal bars, so each bar
 * is a thick two-point line. Written atomically.
 */
final class TornadoChart {
    private TornadoChart() {}

    static void write(
            Sensitivity s,
            String title,
            double paperThroughput,
            double paperEnergy,
            int top,
            Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Sensitivity.Row> rows = s.rows().subList(0, Math.min(top, s.rows().size()));
        int n = rows.size();
        XYChart chart =
                new XYChartBuilder()
                        .width(1100)
                        .height(160 + 52 * n)
                        .title(title)
                        .xAxisTitle("FDHT / TIE ratio")
                        .yAxisTitle("")
                        .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(-1.0);
        chart.getStyler().setYAxisMax(n - 0.3);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setPlotGridHorizontalLinesVisible(false);
        double lo = Math.min(s.throughput(), s.energyEfficiency()),
                hi = Math.max(s.throughput(), s.energyEfficiency());
        for (Sensitivity.Row r : rows) {
            lo =
                    Math.min(
                            lo,
                            Math.min(
                                    Math.min(r.throughputLow(), r.throughputHigh()),
                                    Math.min(r.energyLow(), r.energyHigh())));
            hi =
                    Math.max(
                            hi,
                            Math.max(
                                    Math.max(r.throughputLow(), r.throughputHigh()),
                                    Math.max(r.energyLow(), r.energyHigh())));
        }
        if (!Double.isNaN(paperThroughput)) {
            lo = Math.min(lo, paperThroughput);
            hi = Math.max(hi, paperThroughput);
        }
        if (!Double.isNaN(paperEnergy)) {
            lo = Math.min(lo, paperEnergy);
            hi = Math.max(hi, paperEnergy);
        }
        double pad = 0.05 * (hi - lo);
        chart.getStyler().setXAxisMin(lo - pad);
        chart.getStyler().setXAxisMax(hi + pad);
        chart.getStyler()
                .setAnnotationTextFont(
                        new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        for (int i = 0; i < n; i++) {
            Sensitivity.Row r = rows.get(i);
            double y = n - 1 - i;
            chart.addAnnotation(
                    new AnnotationText(
                            r.label()
                                    + " ("
                                    + r.mark().mark()
                                    + "): "
                                    + r.lowValue()
                                    + " .. "
                                    + r.highValue(),
                            (lo + hi) / 2,
                            y + 0.44,
                            false));
            bar(
                    chart,
                    "throughput " + i,
                    r.throughputLow(),
                    r.throughputHigh(),
                    y + 0.17,
                    new Color(31, 119, 180),
                    i == 0 ? "throughput" : null);
            bar(
                    chart,
                    "energy " + i,
                    r.energyLow(),
                    r.energyHigh(),
                    y - 0.17,
                    new Color(255, 127, 14),
                    i == 0 ? "energy efficiency" : null);
        }
        vertical(
                chart,
                "ours (default): throughput",
                s.throughput(),
                n,
                new Color(31, 119, 180),
                false);
        vertical(
                chart,
                "ours (default): energy eff.",
                s.energyEfficiency(),
                n,
                new Color(255, 127, 14),
                false);
        if (!Double.isNaN(paperThroughput))
            vertical(chart, "paper: throughput", paperThroughput, n, new Color(31, 119, 180), true);
        if (!Double.isNaN(paperEnergy))
            vertical(chart, "paper: energy eff.", paperEnergy, n, new Color(255, 127, 14), true);
        Files.createDirectories(png.toAbsolutePath().getParent());
        PngFile.write(chart, png);
    }

    private static void bar(
            XYChart chart, String name, double a, double b, double y, Color color, String legend) {
        double lo = Math.min(a, b), hi = Math.max(a, b);
        if (hi - lo < 1e-3) {
            lo -= 0.005;
            hi += 0.005;
        }
        XYSeries s =
                chart.addSeries(
                        legend != null ? legend : name, new double[] {lo, hi}, new double[] {y, y});
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(11f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(legend != null);
    }

    private static void vertical(
            XYChart chart, String name, double x, int n, Color color, boolean dashed) {
        XYSeries s = chart.addSeries(name, new double[] {x, x}, new double[] {-0.8, n - 0.2});
        s.setLineColor(color);
        s.setLineStyle(
                dashed
                        ? new BasicStroke(
                                2f,
                                BasicStroke.CAP_BUTT,
                                BasicStroke.JOIN_MITER,
                                10f,
                                new float[] {6f, 4f},
                                0f)
                        : new BasicStroke(1.5f));
        s.setMarker(SeriesMarkers.NONE);
    }
}
