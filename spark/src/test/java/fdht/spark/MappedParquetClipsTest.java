package fdht.spark;

import static fdht.spark.SparkFixture.INPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clip column read from the mapped Parquet files ({@link MappedParquetClips}, {@link
 * FdhtScorer#scoreParquet}) scores every row exactly as Spark's reader does, whatever the file's
 * layout among those it reads (Snappy or none, data pages V1 or V2, one clip a page or several,
 * several row groups, nulls, bad rows); an input it cannot read goes through Spark's reader, with
 * the reason; a damaged page fails naming the file and the row.
 */
class MappedParquetClipsTest {
    private static final int FRAMES = 3, ROWS = 40;

    @TempDir static Path dir;
    static Path model;
    static float[][] clips;
    private static int files;

    @BeforeAll
    static void setUp() {
        SparkFixture.spark();
        model = SparkFixture.model(dir, 11);
        clips = SparkFixture.clips(ROWS, FRAMES, 1700);
    }

    /**
     * 40 rows {@code (id, tag, features)}, each its own clip or, with {@code distinct} below 40,
     * cycling through that many (so that parquet-mr writes a dictionary), and among them bad ones
     * (null, a byte short, NaN), written with the given Parquet writer options.
     */
    private static Path write(Map<String, String> options) {
        return write(options, ROWS);
    }

    private static Path write(Map<String, String> options, int distinct) {
        StructType schema =
                new StructType()
                        .add("id", DataTypes.IntegerType, false)
                        .add("tag", DataTypes.StringType, true)
                        .add("features", DataTypes.BinaryType, true);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            byte[] f = SparkFixture.littleEndian(clips[i % distinct]);
            if (i % 7 == 3) f = null;
            if (i % 7 == 5) f = Arrays.copyOf(f, f.length - 1);
            if (i % 13 == 6) {
                float[] nan = clips[i % distinct].clone();
                nan[INPUT + 2] = Float.NaN;
                f = SparkFixture.littleEndian(nan);
            }
            rows.add(RowFactory.create(i, "t" + i, f));
        }
        Path file = dir.resolve("clips-" + files++ + ".parquet");
        SparkFixture.spark()
                .createDataFrame(rows, schema)
                .repartition(2)
                .write()
                .options(options)
                .parquet(file.toString());
        return file;
    }

    private static void assertMappedScoresAsSparksReader(Path data, int batch) {
        Dataset<Row> clips = SparkFixture.spark().read().parquet(data.toString());
        assertNull(FdhtScorer.mappedReadRefusal(clips, "features"));
        FdhtScorer scorer = FdhtScorer.of(model).withBatch(batch);
        List<Row> spark = FdhtScorerTest.sortedBy(scorer.score(clips, "features"), "id");
        List<Row> mapped =
                FdhtScorerTest.sortedBy(
                        scorer.scoreParquet(SparkFixture.spark(), data.toString(), "features"),
                        "id");
        assertEquals(ROWS, mapped.size());
        int errors = 0;
        for (int i = 0; i < ROWS; i++) {
            Row s = spark.get(i), m = mapped.get(i);
            assertEquals(s.getString(s.fieldIndex("tag")), m.getString(m.fieldIndex("tag")));
            String error = m.getString(m.fieldIndex("error"));
            assertEquals(s.getString(s.fieldIndex("error")), error, "row " + i);
            if (error == null)
                assertArrayEquals(
                        FdhtScorerTest.floats(s, "logits"),
                        FdhtScorerTest.floats(m, "logits"),
                        "row " + i);
            else errors++;
        }
        assertEquals(13, errors, "nulls, short rows and NaN rows each have their error");
        assertEquals(0, PartitionScorer.open());
    }

    @Test
    void snappyPagesAsSparkWritesThemScoreAsSparksReader() {
        assertMappedScoresAsSparksReader(write(Map.of()), 4);
    }

    @Test
    void uncompressedPagesOfOneClipEachInSeveralRowGroupsScoreAsSparksReader() {
        Path data =
                write(
                        Map.of(
                                "compression", "none",
                                "parquet.page.row.count.limit", "1",
                                "parquet.block.row.count.limit", "3"));
        assertTrue(rowGroups(data) > 2, "several row groups");
        assertMappedScoresAsSparksReader(data, 3);
    }

    /**
     * parquet-mr's V2 writer encodes binary values as a dictionary while it can, then
     * DELTA_BYTE_ARRAY, which this reader leaves to Spark's.
     */
    @Test
    void dataPagesV2ScoreAsSparksReader() {
        for (String codec : new String[] {"snappy", "none"}) {
            Path data =
                    write(
                            Map.of(
                                    "compression", codec,
                                    "parquet.writer.version", "v2",
                                    "parquet.page.row.count.limit", "3"),
                            6);
            assertTrue(pagesV2(data) > 0, codec + ": the file has V2 data pages");
            assertMappedScoresAsSparksReader(data, 5);
        }
        Path delta = write(Map.of("parquet.writer.version", "v2"));
        String why =
                FdhtScorer.mappedReadRefusal(
                        SparkFixture.spark().read().parquet(delta.toString()), "features");
        assertNotNull(why);
        assertTrue(why.endsWith("column 'features' has encodings [DELTA_BYTE_ARRAY]"), why);
    }

    @Test
    void dictionaryEncodedPagesScoreAsSparksReader() {
        for (String codec : new String[] {"snappy", "none"}) {
            Path data = write(Map.of("compression", codec, "parquet.page.row.count.limit", "4"), 6);
            assertTrue(encodings(data).contains("DICTIONARY"), codec + ": " + encodings(data));
            assertMappedScoresAsSparksReader(data, 4);
        }
    }

    @Test
    void anInputItCannotReadGoesThroughSparksReaderWithTheReason() {
        Path gzip = write(Map.of("compression", "gzip"));
        Dataset<Row> g = SparkFixture.spark().read().parquet(gzip.toString());
        String why = FdhtScorer.mappedReadRefusal(g, "features");
        assertNotNull(why);
        assertTrue(why.contains("column 'features' is compressed with GZIP"), why);
        List<Row> out =
                FdhtScorerTest.sortedBy(
                        FdhtScorer.of(model)
                                .scoreParquet(SparkFixture.spark(), gzip.toString(), "features"),
                        "id");
        assertEquals(ROWS, out.size());
        assertNull(out.get(0).getString(out.get(0).fieldIndex("error")));

        Dataset<Row> arrays =
                SparkFixture.parquet(
                        dir.resolve("arrays.parquet"),
                        List.<Object[]>of(FdhtScorerTest.flatRow(0, clips[0])),
                        false);
        assertEquals(
                "column 'features' is not binary",
                FdhtScorer.mappedReadRefusal(arrays, "features"));
    }

    /** With no other column to keep, the rows are only each clip's file and row. */
    @Test
    void aClipColumnAloneScoresAsSparksReader() {
        Path data = dir.resolve("alone-" + files++ + ".parquet");
        StructType schema = new StructType().add("features", DataTypes.BinaryType, true);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 9; i++)
            rows.add(RowFactory.create((Object) SparkFixture.littleEndian(clips[i])));
        SparkFixture.spark()
                .createDataFrame(rows, schema)
                .coalesce(1)
                .write()
                .parquet(data.toString());
        FdhtScorer scorer = FdhtScorer.of(model).withBatch(4);
        List<Row> spark =
                scorer.score(SparkFixture.spark().read().parquet(data.toString()), "features")
                        .collectAsList();
        List<Row> mapped =
                scorer.scoreParquet(SparkFixture.spark(), data.toString(), "features")
                        .collectAsList();
        assertEquals(9, mapped.size());
        assertEquals(
                List.of("logits", "label", "error"),
                Arrays.asList(mapped.get(0).schema().fieldNames()));
        for (int i = 0; i < 9; i++)
            assertArrayEquals(
                    FdhtScorerTest.floats(spark.get(i), "logits"),
                    FdhtScorerTest.floats(mapped.get(i), "logits"),
                    "row " + i);
    }

    /** {@code fdht score} says which reader reads the clips, and both write the same scores. */
    @Test
    void scoreSaysWhichReaderItUsesAndBothWriteTheSameScores() {
        Path data = write(Map.of());
        List<List<Row>> written = new ArrayList<>();
        for (String reader : new String[] {"mapped", "spark"}) {
            Path out = dir.resolve("scores-" + reader + "-" + files++ + ".parquet");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--model", model.toString(),
                                    "--input", data.toString(),
                                    "--out", out.toString(),
                                    "--batch", "3"));
            if (reader.equals("spark")) args.add("--spark-reader");
            ScoreCommandTest.Result r = ScoreCommandTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertTrue(
                    r.err()
                            .contains(
                                    reader.equals("mapped")
                                            ? "fdht score: reading 'features' from the mapped Parquet files"
                                            : "fdht score: reading 'features' through Spark's Parquet reader: --spark-reader"),
                    r.err());
            written.add(
                    FdhtScorerTest.sortedBy(
                            SparkFixture.spark().read().parquet(out.toString()), "id"));
        }
        assertEquals(ROWS, written.get(0).size());
        for (int i = 0; i < ROWS; i++) {
            Row m = written.get(0).get(i), s = written.get(1).get(i);
            assertEquals(s.getString(s.fieldIndex("error")), m.getString(m.fieldIndex("error")));
            if (m.isNullAt(m.fieldIndex("error")))
                assertArrayEquals(
                        FdhtScorerTest.floats(s, "logits"),
                        FdhtScorerTest.floats(m, "logits"),
                        "row " + i);
        }
    }

    @Test
    void aDamagedPageFailsNamingTheFileAndTheRow() throws IOException {
        Path data = write(Map.of("compression", "none"));
        Path part;
        try (Stream<Path> s = Files.list(data)) {
            part = s.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().get();
        }
        // the first value's length, past the page: find the first clip's bytes in the file
        byte[] bytes = Files.readAllBytes(part);
        int at = -1;
        for (int c = 0; c < ROWS && at < 0; c++)
            at = indexOf(bytes, Arrays.copyOf(SparkFixture.littleEndian(clips[c]), 64));
        assertTrue(at >= 4, "a clip's bytes are in the file");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.write(
                    ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1 << 30),
                    at - 4);
        }
        try (MappedParquetClips m = new MappedParquetClips("features")) {
            String uri = part.toUri().toString();
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () -> {
                                for (long r = 0; r < ROWS; r++) m.clip(uri, r);
                            });
            assertTrue(e.getMessage().startsWith(part + ": cannot read row "), e.getMessage());
            assertTrue(e.getMessage().contains("runs past its page"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.clip(uri, 1000));
        }
    }

    @Test
    void rowsAskedForOutOfOrderAreReadAgainFromTheirRowGroup() throws IOException {
        Path data =
                write(
                        Map.of(
                                "compression", "snappy",
                                "parquet.page.row.count.limit", "2",
                                "parquet.block.row.count.limit", "3"));
        Path part;
        try (Stream<Path> s = Files.list(data)) {
            part = s.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().get();
        }
        String uri = part.toUri().toString();
        List<byte[]> forward = new ArrayList<>();
        try (MappedParquetClips m = new MappedParquetClips("features")) {
            for (long r = 0; r < 20; r++) forward.add(bytes(m.clip(uri, r)));
            for (long r = 19; r >= 0; r--)
                assertArrayEquals(forward.get((int) r), bytes(m.clip(uri, r)), "row " + r);
        }
    }

    private static byte[] bytes(MemorySegment s) {
        return s == null ? null : s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static List<Path> parts(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    private static int rowGroups(Path data) {
        int n = 0;
        try {
            for (Path p : parts(data))
                try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(p))) {
                    n = Math.max(n, r.getFooter().getBlocks().size());
                }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return n;
    }

    private static String encodings(Path data) {
        StringBuilder all = new StringBuilder();
        try {
            for (Path p : parts(data))
                try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(p))) {
                    for (BlockMetaData b : r.getFooter().getBlocks())
                        all.append(b.getColumns().get(2).getEncodings());
                }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return all.toString();
    }

    private static int pagesV2(Path data) {
        int n = 0;
        try {
            for (Path p : parts(data))
                try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(p))) {
                    ColumnDescriptor c =
                            r.getFooter().getFileMetaData().getSchema().getColumns().stream()
                                    .filter(d -> d.getPath()[0].equals("features"))
                                    .findFirst()
                                    .orElseThrow();
                    for (BlockMetaData ignored : r.getFooter().getBlocks()) {
                        PageReadStore rg = r.readNextRowGroup();
                        DataPage page;
                        while ((page = rg.getPageReader(c).readPage()) != null)
                            if (page instanceof DataPageV2) n++;
                    }
                }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return n;
    }
}
