package fdht.spark;

import static fdht.spark.SparkFixture.INPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdhtScorerTest {
    private static final int FRAMES = 3, CLIPS = 11;

    @TempDir static Path dir;
    static SparkSession spark;
    static Path model;
    static float[][] clips;
    static float[][] inferLogits, inferHidden;

    @BeforeAll
    static void setUp() {
        spark = SparkFixture.spark();
        model = SparkFixture.model(dir, 5);
        clips = new float[CLIPS][];
        for (int b = 0; b < CLIPS; b++) clips[b] = SparkFixture.random(FRAMES * INPUT, 100 + b, 1);
        Path npy = dir.resolve("all.npy");
        SparkFixture.writeNpy(npy, clips, FRAMES, false);
        inferLogits = inferLogits(npy, 1);
        // infer on two threads runs other batch sizes; the scores must not depend on that either
        float[][] two = inferLogits(npy, 2);
        for (int b = 0; b < CLIPS; b++)
            assertArrayEquals(inferLogits[b], two[b], "infer --threads 1 vs 2, clip " + b);
        SparkFixture.infer(
                "--model",
                model.toString(),
                "--input",
                npy.toString(),
                "--hidden-out",
                dir.resolve("h.npy").toString());
        float[][] steps = SparkFixture.readNpy(dir.resolve("h.npy")); // [B][T*H]
        inferHidden = new float[CLIPS][];
        for (int b = 0; b < CLIPS; b++)
            inferHidden[b] =
                    Arrays.copyOfRange(
                            steps[b],
                            (FRAMES - 1) * SparkFixture.HIDDEN,
                            FRAMES * SparkFixture.HIDDEN);
    }

    static float[][] inferLogits(Path npy, int threads) {
        Path out = dir.resolve("logits-" + npy.getFileName() + "-" + threads + ".npy");
        return SparkFixture.inferLogits(model, npy, out, "--threads", Integer.toString(threads));
    }

    /**
     * Clips as Parquet rows {@code (id, features)}, flat or nested, read back (arrays come back
     * nullable, as in real data).
     */
    static Dataset<Row> parquet(String name, List<Object[]> rows, boolean nested) {
        return SparkFixture.parquet(dir.resolve(name + ".parquet"), rows, nested);
    }

    static Object[] flatRow(int id, float[] clip) {
        return new Object[] {id, clip};
    }

    static Object[] nestedRow(int id, float[] clip) {
        float[][] frames = new float[clip.length / INPUT][];
        for (int t = 0; t < frames.length; t++)
            frames[t] = Arrays.copyOfRange(clip, t * INPUT, (t + 1) * INPUT);
        return new Object[] {id, frames};
    }

    static float[] floats(Row r, String column) {
        List<Float> l = r.getList(r.fieldIndex(column));
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = l.get(i);
        return v;
    }

    static List<Row> sortedBy(Dataset<Row> d, String column) {
        List<Row> rows = new ArrayList<>(d.collectAsList());
        rows.sort(Comparator.comparingInt(r -> r.getInt(r.fieldIndex(column))));
        return rows;
    }

    @Test
    void parquetScoresAreInfersBitForBitWhateverThePartitioningAndBatch() {
        for (boolean nested : new boolean[] {false, true}) {
            List<Object[]> rows = new ArrayList<>();
            for (int b = 0; b < CLIPS; b++)
                rows.add(nested ? nestedRow(b, clips[b]) : flatRow(b, clips[b]));
            Dataset<Row> data = parquet(nested ? "nested" : "flat", rows, nested);
            for (int partitions : new int[] {1, 3}) {
                for (int batch : new int[] {1, 3, 8}) {
                    String what =
                            (nested ? "[T][N]" : "[T*N]")
                                    + ", "
                                    + partitions
                                    + " partitions, batch "
                                    + batch;
                    Dataset<Row> scored =
                            FdhtScorer.of(model)
                                    .withBatch(batch)
                                    .withHidden(true)
                                    .score(data.repartition(partitions), "features");
                    assertEquals(
                            List.of("id", "logits", "label", "hidden", "error"),
                            List.of(scored.columns()),
                            what);
                    List<Row> out = sortedBy(scored, "id");
                    assertEquals(CLIPS, out.size(), what);
                    for (int b = 0; b < CLIPS; b++) {
                        Row r = out.get(b);
                        assertNull(r.get(r.fieldIndex("error")), what);
                        assertArrayEquals(
                                inferLogits[b], floats(r, "logits"), what + ", clip " + b);
                        assertArrayEquals(
                                inferHidden[b], floats(r, "hidden"), what + ", clip " + b);
                        assertEquals(
                                ClipScore.argmax(inferLogits[b]),
                                r.getInt(r.fieldIndex("label")),
                                what);
                    }
                }
            }
        }
    }

    @Test
    void npyDirectoryScoresAreInfersBitForBit() throws Exception {
        Path in = Files.createDirectory(dir.resolve("npy-in"));
        SparkFixture.writeNpy(
                in.resolve("a.npy"), new float[][] {clips[0]}, FRAMES, true); // [T, N]
        SparkFixture.writeNpy(
                in.resolve("b.npy"), Arrays.copyOfRange(clips, 1, 5), FRAMES, false); // [4, T, N]
        float[][] longer = new float[6][];
        for (int b = 0; b < longer.length; b++)
            longer[b] = SparkFixture.random(5 * INPUT, 300 + b, 1);
        SparkFixture.writeNpy(in.resolve("c.npy"), longer, 5, false); // [6, 5, N]
        float[][] a = inferLogits(in.resolve("a.npy"), 1),
                b = inferLogits(in.resolve("b.npy"), 1),
                c = inferLogits(in.resolve("c.npy"), 2);
        Files.move(
                dir.resolve("logits-a.npy-1.npy"),
                dir.resolve("moved-a.npy")); // infer's outputs stay out of the input directory
        for (int partitions : new int[] {1, 3}) {
            for (int batch : new int[] {2, 8}) {
                List<Row> out =
                        new ArrayList<>(
                                FdhtScorer.of(model)
                                        .withBatch(batch)
                                        .scoreNpy(spark, in, partitions)
                                        .collectAsList());
                out.sort(
                        Comparator.comparing((Row r) -> r.getString(0))
                                .thenComparingInt(r -> r.getInt(1)));
                assertEquals(1 + 4 + 6, out.size());
                String what = partitions + " partitions, batch " + batch;
                for (int i = 0; i < out.size(); i++) {
                    Row r = out.get(i);
                    String file = Path.of(r.getString(0)).getFileName().toString();
                    int clip = r.getInt(1);
                    float[] expect =
                            switch (file) {
                                case "a.npy" -> a[0];
                                case "b.npy" -> b[clip];
                                default -> c[clip];
                            };
                    assertNull(r.get(r.fieldIndex("error")), what);
                    assertArrayEquals(
                            expect, floats(r, "logits"), what + ", " + file + " clip " + clip);
                }
            }
        }
    }

    @Test
    void badRowsGetAnErrorEachAndTheGoodOnesAroundThemTheirScores() {
        float[] wrongLength = Arrays.copyOf(clips[1], FRAMES * INPUT + 1);
        Float[] withNull = new Float[FRAMES * INPUT];
        for (int i = 0; i < withNull.length; i++) withNull[i] = clips[2][i];
        withNull[INPUT + 7] = null;
        float[] nan = clips[3].clone();
        nan[2 * INPUT + 5] = Float.NaN;
        float[] inf = clips[4].clone();
        inf[0] = Float.POSITIVE_INFINITY;
        List<Object[]> rows =
                List.of(
                        flatRow(0, clips[0]),
                        new Object[] {1, null},
                        new Object[] {2, wrongLength},
                        new Object[] {3, withNull},
                        flatRow(4, nan),
                        flatRow(5, inf),
                        flatRow(6, clips[6]),
                        flatRow(7, clips[7]));
        Dataset<Row> data = parquet("bad", rows, false);
        List<Row> out =
                sortedBy(
                        FdhtScorer.of(model).withBatch(3).score(data.coalesce(1), "features"),
                        "id");
        String[] expect = {
            null,
            "is null",
            "not a whole number of frames",
            "null value at frame 1, index 7",
            "non-finite value NaN at frame 2, index 5",
            "non-finite value Infinity at frame 0, index 0",
            null,
            null
        };
        for (int i = 0; i < expect.length; i++) {
            Row r = out.get(i);
            String error = r.getString(r.fieldIndex("error"));
            if (expect[i] == null) {
                assertNull(error, "row " + i);
                assertArrayEquals(inferLogits[i], floats(r, "logits"), "row " + i);
            } else {
                assertNotNull(error, "row " + i);
                assertTrue(error.contains(expect[i]), "row " + i + ": " + error);
                assertTrue(
                        r.isNullAt(r.fieldIndex("logits")) && r.isNullAt(r.fieldIndex("label")),
                        "row " + i + " has no score");
            }
        }
        // a nested clip with a short frame
        float[][] shortFrame = (float[][]) nestedRow(9, clips[0])[1];
        shortFrame[1] = Arrays.copyOf(shortFrame[1], INPUT - 1);
        Row nested =
                FdhtScorer.of(model)
                        .score(
                                parquet(
                                        "bad-nested",
                                        List.<Object[]>of(new Object[] {9, shortFrame}),
                                        true),
                                "features")
                        .collectAsList()
                        .get(0);
        assertTrue(
                nested.getString(nested.fieldIndex("error"))
                        .contains("frame 1 of 'features' holds " + (INPUT - 1)),
                nested.toString());

        // FAIL: the job fails naming the row
        assertFailsNamingTheRow(FdhtScorer.of(model), data.coalesce(1), expect);
        assertEquals(0, PartitionScorer.open(), "a failed task still closes its arena");
    }

    @Test
    void badNpyClipsAndFilesGetAnErrorEach() throws Exception {
        Path in = Files.createDirectory(dir.resolve("npy-bad"));
        float[][] four = Arrays.copyOfRange(clips, 0, 4);
        four[2] = four[2].clone();
        four[2][INPUT * 2 + 3] = Float.NaN;
        SparkFixture.writeNpy(in.resolve("a.npy"), four, FRAMES, false);
        Files.writeString(in.resolve("junk.npy"), "this is not a NumPy file at all");
        List<Row> out =
                new ArrayList<>(
                        FdhtScorer.of(model).withBatch(8).scoreNpy(spark, in, 2).collectAsList());
        out.sort(
                Comparator.comparing((Row r) -> r.getString(0))
                        .thenComparingInt(r -> r.isNullAt(1) ? -1 : r.getInt(1)));
        assertEquals(5, out.size());
        for (int c : new int[] {0, 1, 3})
            assertArrayEquals(inferLogits[c], floats(out.get(c), "logits"), "clip " + c);
        assertTrue(
                out.get(2)
                        .getString(out.get(2).fieldIndex("error"))
                        .contains("non-finite value NaN at frame 2, index 3"),
                out.get(2).toString());
        Row junk = out.get(4);
        assertTrue(
                junk.isNullAt(1) && junk.getString(junk.fieldIndex("error")).contains("bad magic"),
                junk.toString());
        Exception e =
                assertThrows(
                        Exception.class,
                        () ->
                                FdhtScorer.of(model)
                                        .withBadRows(BadRows.FAIL)
                                        .scoreNpy(spark, in, 1)
                                        .collectAsList());
        assertTrue(
                causes(e).contains("clip 2 of " + in.resolve("a.npy").toAbsolutePath())
                        || causes(e).contains("junk.npy"),
                causes(e));
    }

    @Test
    void theModelIsReadOncePerJvmAndSharedByEveryPartition() {
        Path other = SparkFixture.model(dir, 77);
        int before = ExecutorModels.loads();
        FdhtScorer scorer = FdhtScorer.of(other); // the driver reads it (checksum, shape) ...
        assertEquals(before + 1, ExecutorModels.loads());
        List<Object[]> rows = new ArrayList<>();
        for (int b = 0; b < CLIPS; b++) rows.add(flatRow(b, clips[b]));
        Dataset<Row> data = parquet("shared", rows, false).repartition(4);
        assertEquals(4, data.rdd().getNumPartitions());
        assertEquals(CLIPS, scorer.score(data, "features").collectAsList().size());
        assertEquals(
                before + 1,
                ExecutorModels.loads(),
                "... and the 4 tasks of this JVM use that one copy");
        assertEquals(CLIPS, FdhtScorer.of(other).score(data, "features").count());
        assertEquals(before + 1, ExecutorModels.loads(), "a second job reuses it too");
    }

    @Test
    void partitionArenasAreClosedAfterEveryJobAndNothingLeaksOverTwentyJobs() {
        List<Object[]> rows = new ArrayList<>();
        for (int b = 0; b < CLIPS; b++) rows.add(flatRow(b, clips[b]));
        Dataset<Row> data = parquet("leak", rows, false).repartition(3).cache();
        FdhtScorer scorer = FdhtScorer.of(model).withBatch(4);
        data.count();
        scorer.score(data, "features").collectAsList(); // warm: Spark's own buffers settle
        BufferPoolMXBean direct =
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(p -> p.getName().equals("direct"))
                        .findFirst()
                        .orElseThrow();
        long before = direct.getMemoryUsed();
        long perJob =
                3L
                        * 4
                        * FRAMES
                        * INPUT
                        * Float.BYTES; // what one job's input buffers alone would leak
        for (int job = 0; job < 20; job++) {
            assertEquals(CLIPS, scorer.score(data, "features").collectAsList().size());
            assertEquals(0, PartitionScorer.open(), "job " + job + " left partition arenas open");
            scorer.score(data, "features")
                    .limit(2)
                    .collectAsList(); // tasks that stop early close theirs too
            assertEquals(
                    0,
                    PartitionScorer.open(),
                    "job " + job + " (limit) left partition arenas open");
        }
        long grown = direct.getMemoryUsed() - before;
        assertTrue(
                grown < 20 * perJob / 4,
                "native memory grew by "
                        + grown
                        + " bytes over 20 jobs (a leak of the input buffers alone would be "
                        + 20 * perJob
                        + ")");
        data.unpersist();
    }

    @Test
    void wrongColumnsAreRefusedUpFront() {
        Dataset<Row> data = parquet("cols", List.<Object[]>of(flatRow(0, clips[0])), false);
        FdhtScorer scorer = FdhtScorer.of(model);
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> scorer.score(data, "pixels"))
                        .getMessage()
                        .contains("no column 'pixels'"));
        Dataset<Row> doubles =
                data.withColumn("features", data.col("features").cast("array<double>"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> scorer.score(doubles, "features"))
                        .getMessage()
                        .contains("cast it"));
        Dataset<Row> clash = data.withColumn("label", data.col("id"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> scorer.score(clash, "features"))
                        .getMessage()
                        .contains("'label' would clash"));
    }

    /**
     * Under {@link BadRows#FAIL} scoring {@code data} (one partition, rows {@code (id, features)})
     * fails the job, naming a bad row by its id and that row's reason, {@code expect[id]} (whatever
     * order Parquet gives the rows back in).
     */
    static void assertFailsNamingTheRow(FdhtScorer scorer, Dataset<Row> data, String[] expect) {
        Exception e =
                assertThrows(
                        Exception.class,
                        () ->
                                scorer.withBadRows(BadRows.FAIL)
                                        .score(data, "features")
                                        .collectAsList());
        String message = causes(e);
        java.util.regex.Matcher named =
                java.util.regex.Pattern.compile(
                                "fdht: cannot score row \\d+ of partition 0 \\((\\d+)\\): ")
                        .matcher(message);
        assertTrue(named.find(), message);
        String reason = expect[Integer.parseInt(named.group(1))];
        assertTrue(reason != null && message.contains(reason), message);
    }

    static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) s.append(t.getMessage()).append(" | ");
        return s.toString();
    }
}
