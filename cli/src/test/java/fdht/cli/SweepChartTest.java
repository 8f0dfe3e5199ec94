package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.accel.AcceleratorConfig;
import fdht.accel.Sweep;
import fdht.accel.Variant;
import fdht.accel.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;

/** The sweep chart shows the whole grid its CSV holds, not only PEs = banks. */
class SweepChartTest {
    @Test
    void everyPanelHasALinePerBankCountThroughEveryPeCount() {
        List<Sweep.Point> points =
                Sweep.run(
                        Workload.named("lstm-ucf"),
                        AcceleratorConfig.fdht(),
                        AcceleratorConfig.tie(),
                        Variant.of("published"),
                        false,
                        SweepChart.PES,
                        SweepChart.BANKS);
        assertEquals(SweepChart.PES.length * SweepChart.BANKS.length, points.size());
        for (SweepChart.Ratio ratio : SweepChart.RATIOS) {
            CategoryChart panel = SweepChart.panel(points, "lstm-ucf", ratio);
            assertEquals(SweepChart.BANKS.length, panel.getSeriesMap().size(), ratio.title());
            for (int banks : SweepChart.BANKS) {
                CategorySeries line = panel.getSeriesMap().get(banks + " banks");
                assertEquals(
                        List.of("4", "8", "16", "32", "64"),
                        List.copyOf(line.getXData()),
                        ratio.title() + ", " + banks + " banks");
                // the point at 16 PEs is that grid point's ratio
                Sweep.Point p =
                        points.stream()
                                .filter(q -> q.pes() == 16 && q.banks() == banks)
                                .findFirst()
                                .orElseThrow();
                double expect =
                        ratio.metric().applyAsDouble(p.fdht())
                                / ratio.metric().applyAsDouble(p.tie());
                assertEquals(
                        expect, List.copyOf(line.getYData()).get(2).doubleValue(), 1e-12 * expect);
            }
        }
    }
}
