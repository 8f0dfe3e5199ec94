package fdht.spark;

import static fdht.spark.SparkFixture.INPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code binary} clip column ({@code T * N_x} little-endian float32 values a row): scores bit
 * for bit as {@code fdht infer}'s, a row of the wrong byte length or holding NaN gets its error (or
 * fails the job, naming the row), an input none of whose rows fits is refused before scoring (and
 * {@code fdht score} exits 2).
 */
class BinaryClipsTest {
    private static final int FRAMES = 3, CLIPS = 6;

    @TempDir static Path dir;
    static Path model;
    static float[][] clips, inferLogits;
    private static int files;

    @BeforeAll
    static void setUp() {
        SparkFixture.spark();
        model = SparkFixture.model(dir, 5);
        clips = SparkFixture.clips(CLIPS, FRAMES, 900);
        Path npy = dir.resolve("all.npy");
        SparkFixture.writeNpy(npy, clips, FRAMES, false);
        inferLogits = SparkFixture.inferLogits(model, npy, dir.resolve("logits.npy"));
    }

    /** Rows {@code (i, features[i])}: float arrays as little-endian bytes, byte arrays as given. */
    private static Dataset<Row> binary(Object... features) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < features.length; i++) rows.add(new Object[] {i, features[i]});
        return SparkFixture.binaryParquet(dir.resolve("binary-" + files++ + ".parquet"), rows);
    }

    @Test
    void binaryClipsScoreAsInferBitForBit() {
        Dataset<Row> data = binary((Object[]) clips);
        for (int batch : new int[] {1, 4}) {
            List<Row> out =
                    FdhtScorerTest.sortedBy(
                            FdhtScorer.of(model)
                                    .withBatch(batch)
                                    .score(data.repartition(2), "features"),
                            "id");
            assertEquals(CLIPS, out.size());
            for (int b = 0; b < CLIPS; b++) {
                Row r = out.get(b);
                assertNull(r.get(r.fieldIndex("error")), "batch " + batch);
                assertArrayEquals(
                        inferLogits[b],
                        FdhtScorerTest.floats(r, "logits"),
                        "batch " + batch + ", clip " + b);
            }
        }
    }

    /**
     * {@code fdht score} has Spark decode Parquet 32 rows a batch ({@link
     * ScoreCommand#sizeParquetBatches}): 70 rows in one partition cross two reader batches, and
     * clip batches of 5 cross the reader's, yet every row scores as its clip does alone.
     */
    @Test
    void rowsReadThirtyTwoABatchScoreAsInferAcrossTheReadersBatches() {
        var conf = SparkFixture.spark().conf();
        String before = conf.get(ScoreCommand.READER_BATCH);
        try {
            conf.unset(ScoreCommand.READER_BATCH);
            ScoreCommand.sizeParquetBatches(SparkFixture.spark());
            assertEquals(
                    String.valueOf(ScoreCommand.CLIP_ROWS_A_BATCH),
                    conf.get(ScoreCommand.READER_BATCH));
            Object[] rows = new Object[70];
            for (int i = 0; i < rows.length; i++) rows[i] = clips[i % CLIPS];
            List<Row> out =
                    FdhtScorerTest.sortedBy(
                            FdhtScorer.of(model)
                                    .withBatch(5)
                                    .score(binary(rows).coalesce(1), "features"),
                            "id");
            assertEquals(rows.length, out.size());
            for (int i = 0; i < rows.length; i++)
                assertArrayEquals(
                        inferLogits[i % CLIPS],
                        FdhtScorerTest.floats(out.get(i), "logits"),
                        "row " + i);
        } finally {
            conf.set(ScoreCommand.READER_BATCH, before);
        }
    }

    @Test
    void binaryRowsOfTheWrongLengthOrWithNanGetAnErrorEach() {
        byte[] oneByteShort =
                Arrays.copyOf(SparkFixture.littleEndian(clips[1]), FRAMES * INPUT * 4 - 1);
        float[] nan = clips[3].clone();
        nan[INPUT + 9] = Float.NaN;
        Dataset<Row> data =
                binary(clips[0], oneByteShort, null, nan, new byte[0], clips[5]).coalesce(1);
        String[] expect = {
            null,
            "'features' holds " + (FRAMES * INPUT * 4 - 1) + " bytes, not a whole number of frames",
            "'features' is null",
            "non-finite value NaN at frame 1, index 9",
            "'features' holds 0 bytes",
            null
        };
        List<Row> out =
                FdhtScorerTest.sortedBy(
                        FdhtScorer.of(model).withBatch(3).score(data, "features"), "id");
        for (int i = 0; i < expect.length; i++) {
            Row r = out.get(i);
            String error = r.getString(r.fieldIndex("error"));
            if (expect[i] == null) {
                assertNull(error, "row " + i);
                assertArrayEquals(inferLogits[i], FdhtScorerTest.floats(r, "logits"), "row " + i);
            } else {
                assertNotNull(error, "row " + i);
                assertTrue(error.contains(expect[i]), "row " + i + ": " + error);
                assertTrue(r.isNullAt(r.fieldIndex("logits")), "row " + i + " has no score");
            }
        }
        FdhtScorerTest.assertFailsNamingTheRow(FdhtScorer.of(model), data, expect);
        assertEquals(0, PartitionScorer.open(), "a failed task still closes its arena");
    }

    @Test
    void aBinaryInputThatFitsTheModelNowhereIsRefusedAndScoreExitsTwo() {
        FdhtScorer scorer = FdhtScorer.of(model);
        Dataset<Row> narrow = binary(new byte[4 * 30], new byte[4 * 30]);
        String m =
                assertThrows(
                                IllegalArgumentException.class,
                                () -> scorer.requireSomeClipFits(narrow, "features"))
                        .getMessage();
        assertEquals(
                "no clip in column 'features' fits the model, which takes frames of N_x = "
                        + INPUT
                        + " floats: a clip holds 120 bytes, not a multiple of "
                        + 4 * INPUT
                        + " (N_x float32 values)",
                m);
        scorer.requireSomeClipFits(binary(new byte[7], clips[0]), "features"); // one fits

        Path in = dir.resolve("binary-" + (files - 2) + ".parquet"), out = dir.resolve("s.parquet");
        ScoreCommandTest.Result r =
                ScoreCommandTest.run(
                        "--model", model.toString(),
                        "--input", in.toString(),
                        "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals("fdht score: " + m, lines[lines.length - 1]);
        assertFalse(Files.exists(out), "nothing written");
    }
}
