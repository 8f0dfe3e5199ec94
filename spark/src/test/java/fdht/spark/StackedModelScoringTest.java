package fdht.spark;

import static fdht.spark.SparkFixture.HIDDEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer runs every model {@code fdht infer} runs (issue 23: a stacked or bidirectional model
 * used to be refused, "read it as a stack"): a 2-layer bidirectional model's logits and last output
 * frame from Spark, for each Parquet layout and for {@code .npy}, whatever the partitioning and
 * batch, are {@code fdht infer}'s bit for bit.
 */
class StackedModelScoringTest {
    private static final int FRAMES = 4, CLIPS = 7, WIDTH = 2 * HIDDEN;

    @TempDir static Path dir;
    static Path model;
    static float[][] clips, inferLogits, inferLast;

    @BeforeAll
    static void setUp() {
        SparkFixture.spark();
        model = SparkFixture.bidirectionalModel(dir, 70);
        clips = SparkFixture.clips(CLIPS, FRAMES, 700);
        Path npy = dir.resolve("all.npy"), hidden = dir.resolve("hidden.npy");
        SparkFixture.writeNpy(npy, clips, FRAMES, false);
        inferLogits =
                SparkFixture.inferLogits(
                        model,
                        npy,
                        dir.resolve("logits.npy"),
                        "--hidden-out",
                        hidden.toString(),
                        "--threads",
                        "2");
        float[][] steps = SparkFixture.readNpy(hidden); // [B][T * 2H]
        inferLast = new float[CLIPS][];
        for (int b = 0; b < CLIPS; b++)
            inferLast[b] = Arrays.copyOfRange(steps[b], (FRAMES - 1) * WIDTH, FRAMES * WIDTH);
        assertEquals(SparkFixture.CLASSES, inferLogits[0].length);
    }

    private static Dataset<Row> parquet(FeatureLayout.Kind kind) {
        List<Object[]> rows = new ArrayList<>();
        for (int b = 0; b < CLIPS; b++)
            rows.add(
                    kind == FeatureLayout.Kind.NESTED
                            ? FdhtScorerTest.nestedRow(b, clips[b])
                            : FdhtScorerTest.flatRow(b, clips[b]));
        Path file = dir.resolve(kind + ".parquet");
        return kind == FeatureLayout.Kind.BINARY
                ? SparkFixture.binaryParquet(file, rows)
                : SparkFixture.parquet(file, rows, kind == FeatureLayout.Kind.NESTED);
    }

    @Test
    void aTwoLayerBidirectionalModelScoresAsInferBitForBitInEveryLayout() {
        for (FeatureLayout.Kind kind : FeatureLayout.Kind.values()) {
            Dataset<Row> data = parquet(kind);
            for (int partitions : new int[] {1, 2}) {
                for (int batch : new int[] {1, 3}) {
                    String what = kind + ", " + partitions + " partitions, batch " + batch;
                    List<Row> out =
                            FdhtScorerTest.sortedBy(
                                    FdhtScorer.of(model)
                                            .withBatch(batch)
                                            .withHidden(true)
                                            .score(data.repartition(partitions), "features"),
                                    "id");
                    assertEquals(CLIPS, out.size(), what);
                    for (int b = 0; b < CLIPS; b++) {
                        Row r = out.get(b);
                        assertNull(r.get(r.fieldIndex("error")), what);
                        assertArrayEquals(
                                inferLogits[b],
                                FdhtScorerTest.floats(r, "logits"),
                                what + ", clip " + b);
                        assertArrayEquals(
                                inferLast[b],
                                FdhtScorerTest.floats(r, "hidden"),
                                what + ", clip " + b + ": the last output frame, both directions");
                    }
                }
            }
        }
    }

    @Test
    void aTwoLayerBidirectionalModelScoresNpyAsInferBitForBit() throws Exception {
        Path in = Files.createDirectory(dir.resolve("npy-in"));
        SparkFixture.writeNpy(in.resolve("a.npy"), Arrays.copyOfRange(clips, 0, 3), FRAMES, false);
        SparkFixture.writeNpy(
                in.resolve("b.npy"), Arrays.copyOfRange(clips, 3, CLIPS), FRAMES, false);
        List<Row> out =
                new ArrayList<>(
                        FdhtScorer.of(model)
                                .withBatch(2)
                                .scoreNpy(SparkFixture.spark(), in, 2)
                                .collectAsList());
        out.sort(
                Comparator.comparing((Row r) -> r.getString(0)).thenComparingInt(r -> r.getInt(1)));
        assertEquals(CLIPS, out.size());
        for (int b = 0; b < CLIPS; b++) {
            Row r = out.get(b);
            assertNull(r.get(r.fieldIndex("error")));
            assertArrayEquals(inferLogits[b], FdhtScorerTest.floats(r, "logits"), "clip " + b);
        }
    }
}
