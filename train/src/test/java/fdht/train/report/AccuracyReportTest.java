package fdht.train.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.LayerFormat;
import fdht.layout.HtFormat;
import fdht.train.lstm.TrainableLstm;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's table and charts are written whole or not at all: a chart that cannot be written
 * leaves no temporary file.
 */
class AccuracyReportTest {
    @TempDir Path dir;

    @Test
    void aChartThatCannotBeWrittenLeavesNoTemporaryFile() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            TrainableLstm.initial(
                            new LayerFormat.Fdht(
                                    HtFormat.uniform(new int[] {2, 2, 2}, new int[] {2, 2, 2}, 2),
                                    5),
                            3,
                            1,
                            arena)
                    .write(dir.resolve("fdht-r2-s1.safetensors"));
        }
        Files.writeString(
                dir.resolve("fdht-r2-s1.safetensors.csv"),
                "epoch,train_loss,train_acc,test_loss,test_acc,seconds\n1,1.0,0.5,1.1,0.4,2.0\n");
        Files.createDirectories(
                dir.resolve("loss.png")
                        .resolve("in-the-way")); // a non-empty directory where the last chart goes
        assertThrows(
                RuntimeException.class, () -> AccuracyReport.main(new String[] {dir.toString()}));
        assertTrue(
                Files.exists(dir.resolve("table.md")) && Files.exists(dir.resolve("curves.png")),
                "the table and the charts before the failed one");
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(
                    s.anyMatch(p -> p.getFileName().toString().startsWith(".")),
                    "no temporary file left beside the charts");
        }
    }
}
