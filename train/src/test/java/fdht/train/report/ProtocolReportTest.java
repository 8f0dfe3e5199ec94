package fdht.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.train.EpochLine;
import fdht.train.RunResult;
import fdht.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol-C report on fake result files: the rate is the grid's best validation accuracy (ties
 * to the lower loss), the test accuracy is the mean ± sd [min, max] of the seeds at that rate only,
 * rows with missing seeds say so, the rows come in format and rank order, and every chart is
 * written.
 */
class ProtocolReportTest {
    @TempDir Path out;

    /** A finished run's result and curve, as the driver leaves them. */
    private void run(
            String regime,
            String row,
            String rate,
            int seed,
            double val,
            double valLoss,
            double test,
            long weights)
            throws Exception {
        Path dir = Files.createDirectories(out.resolve(regime).resolve(row));
        Path model = dir.resolve("lr" + rate + "-s" + seed + ".safetensors");
        Map<String, String> options =
                Map.of(
                        "--task", regime.equals("ucf") ? "mfm-ucf" : "mfm",
                        "--hidden", regime.equals("ucf") ? "256" : "128");
        new RunResult(
                        "fdht train --lr " + rate + " --seed " + seed,
                        options,
                        "scalar",
                        weights,
                        2,
                        5,
                        "early stopping",
                        6000,
                        val,
                        valLoss,
                        10000,
                        (long) (test * 10000),
                        test,
                        1.5,
                        12.5,
                        62.5)
                .write(RunResult.pathFor(model));
        Files.writeString(
                TrainingRun.curvePath(model),
                EpochLine.HEADER
                        + "\n"
                        + new EpochLine(1, 3, 0.1, 3, val - 0.01, 12, 0.01).toCsv()
                        + "\n"
                        + new EpochLine(2, 2, 0.2, valLoss, val, 13, 0.005).toCsv()
                        + "\n");
    }

    @Test
    void tablesAndChartsFromFakeRuns() throws Exception {
        // fdht-r4: the grid's best validation is 0.01 (0.6); seeds 2 and 3 at 0.01; a seed at
        // another rate does not count
        run("full", "fdht-r4", "0.003", 1, 0.55, 1.0, 0.50, 1312);
        run("full", "fdht-r4", "0.01", 1, 0.60, 1.2, 0.60, 1312);
        run("full", "fdht-r4", "0.03", 1, 0.58, 0.9, 0.70, 1312);
        run("full", "fdht-r4", "0.01", 2, 0.61, 1.1, 0.62, 1312);
        run("full", "fdht-r4", "0.01", 3, 0.59, 1.1, 0.64, 1312);
        run("full", "fdht-r4", "0.03", 2, 0.99, 0.1, 0.99, 1312);
        // dense: a tie on validation accuracy goes to the lower loss (0.006); one seed so far
        run("full", "dense", "0.0007", 1, 0.70, 0.8, 0.69, 2_163_200);
        run("full", "dense", "0.006", 1, 0.70, 0.7, 0.68, 2_163_200);
        run("full", "fdht-r2", "0.01", 1, 0.5, 1.5, 0.5, 860);
        run("ucf", "fdht-r4", "0.01", 1, 0.3, 2.0, 0.3, 2624);
        ProtocolReport.main(new String[] {out.toString()});

        List<String> full = Files.readAllLines(out.resolve("full/table.md"));
        assertEquals(5, full.size(), "header, rule, dense, fdht-r2, fdht-r4: " + full);
        assertTrue(full.get(2).startsWith("| dense | 2,163,200 | 1x | 0.006 ("), full.get(2));
        assertTrue(full.get(2).contains("| 1 (running) |"), full.get(2));
        assertTrue(full.get(3).startsWith("| fdht-r2 | 860 | 2,515x |"), full.get(3));
        String r4 = full.get(4);
        assertTrue(r4.contains("| 0.01 (0.003: 55.0%, 0.01: 60.0%, 0.03: 58.0%) |"), r4);
        // seeds at 0.01: 0.60, 0.62, 0.64: mean 62.0, sd 2.0
        assertTrue(r4.contains("| 62.0% ± 2.0 [60.0, 64.0] | 60.0% | 3 |"), r4);
        assertTrue(r4.contains("| 2/5, 2/5, 2/5 | 12.5 |"), r4);
        assertTrue(r4.contains("`fdht train --lr 0.01 --seed 1`"), r4);
        List<String> ucf = Files.readAllLines(out.resolve("ucf/table.md"));
        assertTrue(ucf.get(2).startsWith("| fdht-r4 | 2,624 | 22,578x |"), ucf.get(2));
        for (Path png :
                List.of(
                        out.resolve("accuracy-vs-weights.png"),
                        out.resolve("full/validation.png"),
                        out.resolve("ucf/validation.png")))
            assertTrue(Files.size(png) > 1000, png + " written");
    }

    @Test
    void rowsComeInFormatAndRankOrder() {
        assertEquals(
                List.of(
                        "dense",
                        "tt-input-r4",
                        "tt-r4",
                        "tt-r8",
                        "ht-input-r4",
                        "fdht-r2",
                        "fdht-r4",
                        "fdht-r16",
                        "fdht-r8-8-8-8-4-4-1",
                        "other"),
                ProtocolReport.order(
                        List.of(
                                "fdht-r16",
                                "other",
                                "fdht-r8-8-8-8-4-4-1",
                                "tt-r8",
                                "fdht-r2",
                                "dense",
                                "ht-input-r4",
                                "tt-input-r4",
                                "fdht-r4",
                                "tt-r4")));
    }
}
