package fdht.cli;

import fdht.accel.Simulation;
import fdht.accel.Sweep;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The chart of {@code fdht simulate --sweep}: the whole PEs x banks grid, as three panels side by
 * side (throughput, energy efficiency, area efficiency, each FDHT / TIE) with the PE counts along
 * the x axis and one line per bank count. Written atomically; stateless.
 */
final class SweepChart {
    /** The grid {@code --sweep} runs. */
    static final int[] PES = {4, 8, 16, 32, 64}, BANKS = {4, 8, 16, 32, 64};

    private static final int PANEL_WIDTH = 560, PANEL_HEIGHT = 480;

    private SweepChart() {}

    /** The three ratios a panel each: title and how to compute it from one point's pair. */
    record Ratio(String title, ToDoubleFunction<Simulation> metric) {}

    static final List<Ratio> RATIOS =
            List.of(
                    new Ratio("throughput", Simulation::framesPerSecond),
                    new Ratio("energy efficiency (GOPS/W)", Simulation::gopsPerWatt),
                    new Ratio("area efficiency (GOPS/mm2)", Simulation::gopsPerMm2));

    static void write(List<Sweep.Point> points, String workload, Path png) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage all =
                new BufferedImage(
                        PANEL_WIDTH * RATIOS.size(), PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, all.getWidth(), all.getHeight());
            for (int i = 0; i < RATIOS.size(); i++) {
                CategoryChart panel = panel(points, workload, RATIOS.get(i));
                g.drawImage(BitmapEncoder.getBufferedImage(panel), i * PANEL_WIDTH, 0, null);
            }
        } finally {
            g.dispose();
        }
        PngFile.write(all, png);
    }

    /** One ratio over PEs, a line per bank count. */
    static CategoryChart panel(List<Sweep.Point> points, String workload, Ratio ratio) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(PANEL_WIDTH)
                        .height(PANEL_HEIGHT)
                        .title(workload + ": " + ratio.title() + ", FDHT / TIE")
                        .xAxisTitle("PEs (both chips)")
                        .yAxisTitle("FDHT / TIE")
                        .build();
        chart.getStyler()
                .setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setOverlapped(true); // every series at its category, not side by side
        for (int banks : BANKS) {
            List<Sweep.Point> line = points.stream().filter(p -> p.banks() == banks).toList();
            if (line.isEmpty()) continue;
            chart.addSeries(
                    banks + " banks",
                    line.stream().map(p -> String.valueOf(p.pes())).toList(),
                    line.stream()
                            .map(
                                    p ->
                                            ratio.metric().applyAsDouble(p.fdht())
                                                    / ratio.metric().applyAsDouble(p.tie()))
                            .toList());
        }
        return chart;
    }
}
