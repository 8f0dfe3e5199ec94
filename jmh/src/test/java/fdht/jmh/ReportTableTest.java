package fdht.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report derives its figures from the JMH scores and the plans, and says when a target is
 * missed.
 */
class ReportTableTest {
    static String result(String benchmark, String params, double score, String unit, double alloc) {
        return """
                {"benchmark":"fdht.jmh.%s","params":{%s},"primaryMetric":{"score":%s,"scoreError":1.0,"scoreUnit":"%s"},
                 "secondaryMetrics":{"gc.alloc.rate.norm":{"score":%s}}}"""
                .formatted(benchmark, params, score, unit, alloc);
    }

    /**
     * The machine's roofs as a run measures them: 200 GFLOP/s, 40 GB/s (two results, no brackets).
     */
    static final String LIMITS =
            result("FmaPeakBenchmark.fma", "", 2.0 * FmaPeakBenchmark.lanes() / 200.0, "ns/op", 0)
                    + ","
                    + result(
                            "MemoryBandwidthBenchmark.read",
                            "",
                            MemoryBandwidthBenchmark.BYTES / 40e3,
                            "us/op",
                            0);

    static final String JSON =
            "["
                    + LIMITS
                    + ","
                    + String.join(
                            ",",
                            result(
                                    "LstmStepBenchmark.fdhtStep",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"1\"",
                                    100,
                                    "us/op",
                                    0.5),
                            result(
                                    "DensePeersBenchmark.ortStep",
                                    "\"batch\":\"1\"",
                                    1800,
                                    "us/op",
                                    900),
                            result(
                                    "ThreadScalingBenchmark.fdhtStep",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"64\",\"threads\":\"1\"",
                                    1000,
                                    "us/op",
                                    1),
                            result(
                                    "ThreadScalingBenchmark.fdhtStep",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"64\",\"threads\":\"2\"",
                                    550,
                                    "us/op",
                                    1))
                    + "]";

    /**
     * What tools/torch_einsum_lstm.py writes: 500 us per frame at batch 1 (5x FDHT's 100: missed),
     * 16 x 2,000 us at batch 16.
     */
    static final String TORCH =
            """
            [{"benchmark":"fdht.jmh.peers.TorchEinsumLstm.step","mode":"avgt","params":{"model":"ucf","rank":"4","batch":"1","threads":"1"},
              "primaryMetric":{"score":500.0,"scoreError":3.0,"scoreUnit":"us/op"},"peer":"PyTorch"},
             {"benchmark":"fdht.jmh.peers.TorchEinsumLstm.step","mode":"avgt","params":{"model":"ucf","rank":"4","batch":"16","threads":"1"},
              "primaryMetric":{"score":32000.0,"scoreError":3.0,"scoreUnit":"us/op"},"peer":"PyTorch"}]""";

    static final String STAGES =
            "["
                    + String.join(
                            ",",
                            result(
                                    "LstmStepBenchmark.fdhtStep",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\"",
                                    1600,
                                    "us/op",
                                    0.5),
                            result(
                                    "HtStageBenchmark.stage",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\",\"stage\":\"0\"",
                                    2.0 * BenchModel.UCF.plan(4, 16).stages().get(0).macs() / 100e3,
                                    "us/op",
                                    0), // 100 GFLOP/s: 50% of the peak
                            result(
                                    "LaneStageBenchmark.stage",
                                    "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"16\",\"stage\":\"0\"",
                                    2.0
                                            * 16
                                            * BenchModel.UCF.plan(4, 1).stages().get(0).macs()
                                            / 160e3,
                                    "us/op",
                                    0))
                    + "]"; // 160 GFLOP/s: 80%

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
        assertTrue(
                md.contains(
                        String.format(
                                "%.2fx the limit | %s |",
                                100 / limit, 100 / limit <= 1.5 ? "met" : "missed")),
                md);
        assertTrue(md.contains("ORT 1,800 us vs FDHT 100 us: 18x | missed |"), md); // 18x < 40x
        assertTrue(md.contains("1,000 -> 550 us: 1.82x | met |"), md);
        assertTrue(md.contains("| 18.00x |"), "per-frame table ratio against ORT\n" + md);
    }

    @Test
    void aRerunPassedLastReplacesTheSameBenchmarkAndParameters() {
        String rerun =
                "["
                        + result(
                                "ThreadScalingBenchmark.fdhtStep",
                                "\"model\":\"ucf\",\"rank\":\"4\",\"batch\":\"64\",\"threads\":\"2\"",
                                520,
                                "us/op",
                                1)
                        + "]";
        List<ReportTable.Row> rows =
                ReportTable.merge(ReportTable.parse(JSON), ReportTable.parse(rerun));
        assertEquals(ReportTable.parse(JSON).size(), rows.size());
        String md = ReportTable.render(rows);
        assertTrue(md.contains("1,000 -> 520 us: 1.92x | met |"), md);
    }

    @Test
    void thePyTorchPeerIsAColumnOfThePerFrameTableAndATarget() {
        List<ReportTable.Row> rows =
                ReportTable.merge(
                        ReportTable.merge(ReportTable.parse(JSON), ReportTable.parse(STAGES)),
                        ReportTable.parse(TORCH));
        String md = ReportTable.render(rows);
        assertTrue(md.contains("| batch 1 | vs ORT | vs PyTorch |"), md);
        assertTrue(
                md.contains("| 18.00x | 5.00x |"),
                "FDHT step at batch 1: 18x ORT, 5x PyTorch\n" + md);
        assertTrue(md.contains("PyTorch 500 us vs FDHT 100 us per frame: 5.0x | missed |"), md);
        assertTrue(
                md.contains("PyTorch 2,000 us vs FDHT 100 us per frame: 20.0x | met |"),
                "batch 16: 32,000/16 vs 1,600/16\n" + md);
        assertTrue(md.contains("| TorchEinsumLstm.step | ucf | 4 |"), md);
    }

    @Test
    void theStageTargetIsJudgedOnTheLaneLayoutTheLibraryRuns() {
        String md =
                ReportTable.render(
                        ReportTable.merge(ReportTable.parse(JSON), ReportTable.parse(STAGES)));
        assertTrue(
                md.contains(
                        "(lane layout) | 80% to 80% (best: lane layout ucf r4 b16 stage 0) | met |"),
                md);
    }

    @Test
    void chartsAreWrittenAsPngs(@TempDir Path dir) throws IOException {
        ReportCharts.write(
                ReportTable.merge(
                        ReportTable.merge(ReportTable.parse(JSON), ReportTable.parse(STAGES)),
                        ReportTable.parse(TORCH)),
                dir);
        for (String png : new String[] {"latency.png", "roofline.png"}) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }
    }

    @Test
    void latencyBarsAreEachPeersTimeOverFdhtsAtTheSameBatch() {
        var bars =
                ReportCharts.latencyBars(
                        ReportTable.merge(
                                ReportTable.merge(
                                        ReportTable.parse(JSON), ReportTable.parse(STAGES)),
                                ReportTable.parse(TORCH)));
        assertEquals(List.of("ucf r4 b1 (100 us)", "ucf r4 b16 (100 us)"), bars.groups());
        assertEquals(List.of(1.0, 1.0), bars.ratios().get("LstmStep.fdhtStep"));
        assertEquals(List.of(5.0, 20.0), bars.ratios().get("TorchEinsumLstm.step"));
        assertEquals(18.0, bars.ratios().get("DensePeers.ortStep").get(0), 1e-9);
        assertEquals(
                null,
                bars.ratios().get("DensePeers.ortStep").get(1),
                "no ORT result at batch 16: no bar");
    }

    @Test
    void chartsOfResultsWithoutAnFdhtStepAreStillWritten(@TempDir Path dir) throws IOException {
        ReportCharts.write(
                ReportTable.parse("[" + result("FmaPeakBenchmark.fma", "", 0.16, "ns/op", 0) + "]"),
                dir);
        for (String png : new String[] {"latency.png", "roofline.png"}) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }
    }
}
