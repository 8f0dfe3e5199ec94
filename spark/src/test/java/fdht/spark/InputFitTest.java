package fdht.spark;

import static fdht.spark.SparkFixture.INPUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.io.NpyFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An input none of whose clips fits the model is refused before scoring (issue 23: it used to score
 * to a Parquet of nulls and exit 0); one clip that fits is enough to score, the others then getting
 * their errors one by one.
 */
class InputFitTest {
    @TempDir static Path dir;
    static FdhtScorer scorer;

    @BeforeAll
    static void setUp() {
        SparkFixture.spark();
        scorer = FdhtScorer.of(SparkFixture.model(dir, 5));
    }

    private static int files;

    private static Dataset<Row> parquet(boolean nested, Object... features) {
        return parquet(dir.resolve("in-" + files++ + ".parquet"), nested, features);
    }

    /**
     * Rows {@code (id, features)}, {@code features} flat {@code array<float>} or nested, written to
     * {@code file} and read back.
     */
    static Dataset<Row> parquet(Path file, boolean nested, Object... features) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < features.length; i++) rows.add(new Object[] {i, features[i]});
        return SparkFixture.parquet(file, rows, nested);
    }

    private static String refused(Dataset<Row> clips) {
        return assertThrows(
                        IllegalArgumentException.class,
                        () -> scorer.requireSomeClipFits(clips, "features"))
                .getMessage();
    }

    @Test
    void flatClipsOfTheWrongLengthAreRefusedWithWhatTheFirstHolds() {
        String m = refused(parquet(false, new float[7], new float[7]));
        assertEquals(
                "no clip in column 'features' fits the model, which takes frames of N_x = "
                        + INPUT
                        + " floats: a clip holds 7 floats, not a multiple of "
                        + INPUT,
                m);
        m = refused(parquet(false, new float[7], new float[2 * INPUT + 1]));
        assertTrue(
                m.endsWith(" 7 floats, not a multiple of " + INPUT)
                        || m.endsWith(
                                " " + (2 * INPUT + 1) + " floats, not a multiple of " + INPUT),
                m);
        assertTrue(
                refused(parquet(false, null, new float[0]))
                        .endsWith("every clip in it is null or empty"));
        // one clip that fits among bad ones: scored, the bad ones get their error column
        scorer.requireSomeClipFits(
                parquet(false, new float[7], null, new float[3 * INPUT]), "features");
        scorer.requireSomeClipFits(parquet(false), "features"); // empty: nothing to refuse
    }

    @Test
    void nestedClipsAreCheckedFrameByFrame() {
        assertTrue(
                refused(parquet(true, (Object) new float[][] {new float[5], new float[5]}))
                        .endsWith("a clip's first frame holds 5 floats"));
        // a clip whose second frame is short does not fit either
        assertTrue(
                refused(parquet(true, (Object) new float[][] {new float[INPUT], new float[3]}))
                        .contains("fits the model"));
        scorer.requireSomeClipFits(
                parquet(
                        true,
                        new float[][] {new float[5]},
                        new float[][] {new float[INPUT], new float[INPUT]}),
                "features");
    }

    @Test
    void aDirectoryOfNpyFilesNoneOfWhichFitsIsRefused() throws Exception {
        Path npy = Files.createDirectory(dir.resolve("npy"));
        NpyFile.write(
                npy.resolve("a.npy"),
                new long[] {2, 3, INPUT + 1},
                MemorySegment.ofArray(new float[2 * 3 * (INPUT + 1)]));
        Files.writeString(npy.resolve("b.npy"), "not an npy file");
        String m =
                assertThrows(IllegalArgumentException.class, () -> scorer.requireSomeFileFits(npy))
                        .getMessage();
        assertTrue(
                m.startsWith(
                                "no .npy file in "
                                        + npy
                                        + " holds clips the model takes ([T, "
                                        + INPUT
                                        + "] or [B, T, "
                                        + INPUT
                                        + "] float32): a.npy [2, 3, "
                                        + (INPUT + 1)
                                        + "], ")
                        && m.contains("b.npy: not an .npy file"),
                m);
        SparkFixture.writeNpy(
                npy.resolve("c.npy"),
                new float[][] {SparkFixture.random(2 * INPUT, 1, 1)},
                2,
                true);
        scorer.requireSomeFileFits(npy); // c.npy fits: a and b get their error rows
    }
}
