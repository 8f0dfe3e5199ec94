package fdht.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {
    @TempDir Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = ScoreCommand.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void scoresANpyDirectoryIntoParquetAtomicallyAndSaysWhatWentWrongInOneLine() throws Exception {
        SparkFixture.spark(); // the command uses the JVM's session and leaves it running
        Path model = SparkFixture.model(dir, 5);
        Path in = Files.createDirectory(dir.resolve("in"));
        float[][] clips = new float[3][];
        for (int b = 0; b < clips.length; b++)
            clips[b] = SparkFixture.random(2 * SparkFixture.INPUT, 40 + b, 1);
        SparkFixture.writeNpy(in.resolve("a.npy"), clips, 2, false);
        Path out = dir.resolve("scores.parquet");
        Result r =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--master",
                        "local[2]",
                        "--batch",
                        "2",
                        "--hidden");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fdht score: 3 clips (0 not scored)"), r.out());
        List<Row> rows = SparkFixture.spark().read().parquet(out.toString()).collectAsList();
        assertEquals(3, rows.size());
        assertEquals(
                List.of("file", "clip", "logits", "label", "hidden", "error"),
                Arrays.asList(rows.get(0).schema().fieldNames()));
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(
                    s.anyMatch(p -> p.getFileName().toString().startsWith(".")),
                    "no temporary directory left beside the output");
        }

        Result exists =
                run("--model", model.toString(), "--input", in.toString(), "--out", out.toString());
        assertEquals(2, exists.code());
        assertEquals(
                "fdht score: --out " + out + " exists (use --force to replace it)",
                exists.err().strip());

        float[][] bad = {clips[0], clips[1].clone()};
        bad[1][5] = Float.NaN;
        SparkFixture.writeNpy(in.resolve("b.npy"), bad, 2, false);
        Result failed =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        in.toString(),
                        "--out",
                        dir.resolve("failed.parquet").toString(),
                        "--bad-rows",
                        "fail");
        assertEquals(2, failed.code());
        String[] lines = failed.err().strip().split("\n");
        assertEquals(
                "fdht score: cannot score clip 1 of "
                        + in.resolve("b.npy").toAbsolutePath()
                        + ": non-finite value NaN at frame 0, index 5",
                lines[lines.length - 1]);
        assertFalse(Files.exists(dir.resolve("failed.parquet")), "a failed job writes nothing");
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(
                    s.anyMatch(p -> p.getFileName().toString().startsWith(".failed")),
                    "nor leaves its temporary directory");
        }

        Result forced =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().contains("5 clips (1 not scored)"), forced.out());

        Result noModel =
                run(
                        "--model",
                        dir.resolve("nope.safetensors").toString(),
                        "--input",
                        in.toString(),
                        "--out",
                        dir.resolve("x.parquet").toString());
        assertEquals(2, noModel.code());
        assertTrue(
                noModel.err().strip().endsWith("no such file")
                        && !noModel.err().strip().contains("\n"),
                noModel.err());
    }

    @Test
    void aPartitionCountItWouldIgnoreOrCannotUseIsRefusedBeforeSparkStarts() throws Exception {
        Path model = SparkFixture.model(dir, 5);
        Path npyDir = Files.createDirectory(dir.resolve("npy"));
        SparkFixture.writeNpy(
                npyDir.resolve("a.npy"),
                new float[][] {SparkFixture.random(2 * SparkFixture.INPUT, 7, 1)},
                2,
                false);
        Result negative =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        npyDir.toString(),
                        "--out",
                        dir.resolve("n.parquet").toString(),
                        "--partitions",
                        "-1");
        assertEquals(2, negative.code());
        assertEquals(
                "fdht score: --partitions -1 must be at least 1 (or 0: the default)",
                negative.err().strip());
        Path parquet = Files.createDirectory(dir.resolve("clips.parquet"));
        Result ignored =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        parquet.toString(),
                        "--out",
                        dir.resolve("p.parquet").toString(),
                        "--partitions",
                        "4");
        assertEquals(2, ignored.code());
        assertEquals(
                "fdht score: --partitions applies to a directory of .npy files; "
                        + parquet
                        + " is read as Parquet, in its own partitions",
                ignored.err().strip());
        assertFalse(
                Files.exists(dir.resolve("n.parquet")) || Files.exists(dir.resolve("p.parquet")));
    }

    @Test
    void anInputThatFitsTheModelNowhereIsRefusedBeforeScoringInOneLine() throws Exception {
        SparkFixture.spark();
        Path model = SparkFixture.model(dir, 5);
        Path npy = Files.createDirectory(dir.resolve("narrow"));
        fdht.layout.io.NpyFile.write(
                npy.resolve("a.npy"),
                new long[] {1, 2, 10},
                java.lang.foreign.MemorySegment.ofArray(new float[20]));
        Path out = dir.resolve("s.parquet");
        Result r =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        npy.toString(),
                        "--out",
                        out.toString());
        assertEquals(2, r.code());
        assertEquals(
                "fdht score: no .npy file in "
                        + npy
                        + " holds clips the model takes ([T, 200] or [B, T, 200] float32): a.npy [1, 2, 10]",
                r.err().strip());

        Path parquet = dir.resolve("narrow.parquet");
        InputFitTest.parquet(parquet, false, new float[30], new float[30]);
        r =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        parquet.toString(),
                        "--out",
                        out.toString());
        assertEquals(2, r.code());
        String[] lines = r.err().strip().split("\n"); // progress lines, then the error
        assertEquals(
                "fdht score: no clip in column 'features' fits the model, which takes frames of N_x = 200 floats: a clip holds 30 floats, not a multiple of 200",
                lines[lines.length - 1]);
        assertFalse(Files.exists(out), "nothing written");

        r =
                run(
                        "--model",
                        model.toString(),
                        "--input",
                        parquet.toString(),
                        "--out",
                        dir.resolve("no-such-dir/s.parquet").toString());
        assertEquals(2, r.code());
        assertEquals(
                "fdht score: --out "
                        + dir.resolve("no-such-dir/s.parquet")
                        + ": the directory "
                        + dir.resolve("no-such-dir")
                        + " does not exist",
                r.err().strip());
    }

    @Test
    void errorsOfManyLinesArePrintedAsTheirFirstLine() {
        RuntimeException spark =
                new RuntimeException(
                        "Job aborted due to stage failure: boom\n\tat somewhere\nDriver stacktrace:");
        assertEquals(
                "unexpected java.lang.RuntimeException: Job aborted due to stage failure: boom"
                        + " (--verbose for the rest)",
                ScoreCommand.oneLine(spark, false));
        assertEquals(
                "unexpected java.lang.RuntimeException: Job aborted due to stage failure: boom",
                ScoreCommand.oneLine(spark, true),
                "--verbose prints the trace itself");
        RuntimeException wrapped =
                new RuntimeException(
                        "task failed\nmore", new IllegalArgumentException("clip 3 is short"));
        assertEquals("clip 3 is short", ScoreCommand.oneLine(wrapped, false));
        assertEquals(
                "unexpected java.lang.IllegalStateException",
                ScoreCommand.oneLine(new IllegalStateException(), false));
    }
}
