package fdht.jmh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** The charts as rendered: their titles are whole (the roofline's was cut at the left edge). */
class ReportChartsTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Rows with two-thread points: the roofline then has its longest legend. */
    private static final List<ReportTable.Row> ROWS =
            ReportTable.merge(
                    ReportTable.merge(
                            ReportTable.parse(ReportTableTest.JSON),
                            ReportTable.parse(ReportTableTest.STAGES)),
                    ReportTable.parse(ReportTableTest.TORCH));

    /** Dark pixels (the title's text) in columns [x0, x1) of the title band, the top 40 rows. */
    private static int darkInTitleBand(BufferedImage img, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < 40; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (r + g + b < 200) n++;
            }
        }
        return n;
    }

    private static void titleIsWhole(Chart<?, ?> chart, String name) {
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        int w = img.getWidth();
        assertTrue(darkInTitleBand(img, 0, w) > 100, name + ": a title is drawn");
        assertTrue(
                darkInTitleBand(img, 0, 8) == 0 && darkInTitleBand(img, w - 8, w) == 0,
                name + ": the title stays clear of the left and right edges");
    }

    @Test
    void rooflineTitleIsWholeWithTheTwoCoreRoofInTheLegend() {
        titleIsWhole(ReportCharts.roofline(ROWS), "roofline");
    }

    @Test
    void latencyTitleIsWhole() {
        titleIsWhole(ReportCharts.latency(ROWS), "latency");
    }
}
