package fdht.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report derives its figures from the JMH scores and the plans, and says when a target is missed. */
class ReportTableTest {
    static String result(String benchmark, String params, double score, String unit, double alloc) {
        return """
                {"benchmark":"fdht.jmh.%s","params":{%s},"primaryMetric":{"score":%s,"scoreError":1.0,"scoreUnit":"%s"},
                 "secondaryMetrics":{"gc.alloc.rate.norm":{"score":%s}}}""".formatted(benchmark, params, score, unit, alloc);
    }

    static final String JSON = "[" + String.join(",",
            result("FmaPeakBenchmark.fma", "", 2.0 * FmaPeakBenchmark.lanes() / 200.0, "ns/op", 0), // 200 GFLOP/s
            result("MemoryBandwidthBenchmark.read", "", MemoryBandwidthBenchmark.BYTES / 40e3, "us/op", 0), // 40 GB/s
            result("LstmStepBenchmark.fdhtStep", "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"1\"", 100, "us/op", 0.5),
            result("DensePeersBenchmark.ortStep", "\"batch\":\"1\"", 1800, "us/op", 900),
            result("ThreadScalingBenchmark.fdhtStep", "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\",\"threads\":\"1\"", 1000, "us/op", 1),
            result("ThreadScalingBenchmark.fdhtStep", "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\",\"threads\":\"2\"", 550, "us/op", 1)) + "]";

    @Test
    void limitsRatiosAndTargetsComeFromTheScores() {
        List<ReportTable.Row> rows = ReportTable.parse(JSON);
        ReportTable.Limits lim = ReportTable.Limits.of(rows);
        assertEquals(200, lim.peakGflops(), 1e-6);
        assertEquals(40, lim.readGBs(), 1e-6);
        String md = ReportTable.render(rows);
        // the limit: the rank-4 UCF plan's FLOPs at 200 GFLOP/s plus 230,400 frame bytes at 40 GB/s
        double flops = 2.0 * BenchModel.UCF.plan(4, 1).totalMacs();
        double limit = flops / 200e3 + 230_400 / 40e3;
        assertTrue(md.contains(String.format("limit %s us", ReportTable.fmt(limit))), md);
        assertTrue(md.contains(String.format("%.2fx the limit | %s |", 100 / limit, 100 / limit <= 2 ? "met" : "missed")), md);
        assertTrue(md.contains("ORT 1,800 us vs FDHT 100 us: 18x | missed |"), md); // 18x < 40x
        assertTrue(md.contains("1,000 -> 550 us: 1.82x | met |"), md);
        assertTrue(md.contains("| 18.00x |"), "per-frame table ratio against ORT\n" + md);
    }

    @Test
    void aRerunPassedLastReplacesTheSameBenchmarkAndParameters() {
        String rerun = "[" + result("ThreadScalingBenchmark.fdhtStep", "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\",\"threads\":\"2\"", 520, "us/op", 1) + "]";
        List<ReportTable.Row> rows = ReportTable.merge(ReportTable.parse(JSON), ReportTable.parse(rerun));
        assertEquals(ReportTable.parse(JSON).size(), rows.size());
        String md = ReportTable.render(rows);
        assertTrue(md.contains("1,000 -> 520 us: 1.92x | met |"), md);
    }

    @Test
    void chartsAreWrittenAsPngs(@TempDir Path dir) throws IOException {
        ReportCharts.write(ReportTable.parse(JSON), dir);
        for (String png : new String[]{"latency.png", "roofline.png"}) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }
    }
}
