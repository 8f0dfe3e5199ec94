package fdht.jmh;

import static fdht.jmh.ReportTableTest.result;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report's MFM-40 section: the step's limit comes from the bundled model's own plan, the
 * targets (2.0x at batch 1, 1.4x at batch 16) are judged on it, and the PyTorch peer and bulk
 * scoring appear beside it.
 */
class MfmReportTest {
    /** 200 GFLOP/s, 40 GB/s (as ReportTableTest's JSON), then MFM-40 results. */
    static String json(double stepBatch1, double stepBatch16) {
        return "["
                + ReportTableTest.LIMITS
                + ","
                + String.join(
                        ",",
                        result("MfmBenchmark.step", "\"batch\":\"1\"", stepBatch1, "us/op", 0),
                        result("MfmBenchmark.step", "\"batch\":\"16\"", stepBatch16, "us/op", 0),
                        result("MfmBenchmark.clip", "\"batch\":\"16\"", 16 * 8 * 2.0, "us/op", 0),
                        result(
                                "BulkScoreBenchmark.score",
                                "\"threads\":\"1\"",
                                BulkScoreBenchmark.CLIPS * 20.0,
                                "us/op",
                                0),
                        result(
                                "BulkScoreBenchmark.score",
                                "\"threads\":\"2\"",
                                BulkScoreBenchmark.CLIPS * 10.0,
                                "us/op",
                                0))
                + "]";
    }

    /** What tools/torch_mfm_lstm.py writes at batch 16: 16 clips of 8 frames, 20 us a frame. */
    static final String TORCH =
            """
            [{"benchmark":"fdht.jmh.peers.TorchMfmLstm.clip","mode":"avgt","params":{"batch":"16","threads":"1"},
              "primaryMetric":{"score":2560.0,"scoreError":3.0,"scoreUnit":"us/op"},"peer":"PyTorch"}]""";

    /**
     * The limit of one frame-step at {@code batch}: the plan's FLOPs at 200 GFLOP/s + the frame.
     */
    static double limit(int batch) {
        return 2.0 * MfmModel.plan(batch).totalMacs() / 200e3 + batch * 4096 * 4 / 40e3;
    }

    @Test
    void theStepIsJudgedAgainstItsOwnPlansLimit() {
        double l1 = limit(1), l16 = limit(16);
        // batch 1 at 1.9x its limit (met), batch 16 at 1.5x (missed)
        String md =
                ReportTable.render(
                        ReportTable.merge(
                                ReportTable.parse(json(1.9 * l1, 1.5 * l16)),
                                ReportTable.parse(TORCH)));
        assertTrue(md.contains("## The bundled MFM-40 model"), md);
        assertTrue(
                md.contains("batch 1, one thread, within 2.0x of its physical limit")
                        && md.contains("1.90x the limit | met |"),
                md);
        assertTrue(
                md.contains("batch 16, one thread, within 1.4x of its physical limit")
                        && md.contains("1.50x the limit | missed |"),
                md);
        // PyTorch 20 us a frame against the model API's 2 us: 10x
        assertTrue(md.contains("| 2.00 | 20.00 | 10.0x |"), md);
        assertTrue(md.contains("one thread 20.00, two threads 10.00 (2.00x)"), md);
    }

    @Test
    void withoutThePeerTheColumnSaysSo() {
        List<ReportTable.Row> rows = ReportTable.parse(json(10, 100));
        String md = ReportTable.render(rows);
        assertTrue(md.contains("| not run |"), md);
        assertFalse(md.contains("TorchMfmLstm"), md);
        // without the machine's limits the targets are not judged
        String bare =
                ReportTable.render(
                        ReportTable.parse(
                                "["
                                        + result(
                                                "MfmBenchmark.step",
                                                "\"batch\":\"1\"",
                                                5,
                                                "us/op",
                                                0)
                                        + "]"));
        assertTrue(bare.contains("no limit | (not judged) |"), bare);
        assertFalse(bare.contains("NaN"), bare);
    }
}
