import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.ColumnFactorization;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.NpyFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Data and checks for tools/spark_score_bench.sh (not part of CI).
 *   data DIR CLIPS FRAMES INPUT FILES   writes DIR/model.safetensors (FDHT-LSTM, H 256, ranks 4, a 40-class head),
 *                                        DIR/all.npy [CLIPS, FRAMES, INPUT] for fdht infer, the same clips as FILES
 *                                        .npy files in DIR/npy/ and as Parquet (id, features [T*N]) in DIR/clips.parquet
 *   compare DIR SCORES.parquet           checks that every clip's logits in SCORES equal fdht infer's (DIR/infer-logits.npy) bit for bit
 */
public class SparkScoreBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("data")) data(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        else compare(dir, Path.of(args[2]));
    }

    static float[] clip(long id, int floats) {
        SplittableRandom r = new SplittableRandom(1_000_003L * id + 7);
        float[] v = new float[floats];
        for (int i = 0; i < floats; i++) v[i] = (float) r.nextDouble(); // pixel-like, [0, 1)
        return v;
    }

    static void data(Path dir, int clips, int frames, int input, int files) throws Exception {
        Files.createDirectories(dir.resolve("npy"));
        int hidden = 256, classes = 40;
        try (Arena arena = Arena.ofConfined()) {
            int[] rows = {16, 4, 4, 4};
            int[] cols = ColumnFactorization.cheapest(input + hidden, rows, 4, 0.06, 32, 3);
            SplittableRandom r = new SplittableRandom(11);
            float[] bias = new float[4 * hidden], hw = new float[classes * hidden], hb = new float[classes];
            for (int i = 0; i < bias.length; i++) bias[i] = (float) (r.nextDouble() * 0.2 - 0.1);
            for (int i = 0; i < hw.length; i++) hw[i] = (float) (r.nextDouble() * 2 - 1) * 0.1f;
            Lstm lstm = Lstm.fdht(HtMatrix.random(HtFormat.uniform(rows, cols, 4), 2022, arena), input, bias, arena)
                    .withHead(new DenseHead(hw, hb, classes, hidden, arena));
            LstmModelFile.write(lstm, dir.resolve("model.safetensors"));
        }
        long per = (long) frames * input;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = Weights.floats(arena, clips * per);
            for (int c = 0; c < clips; c++) MemorySegment.copy(clip(c, (int) per), 0, all, ValueLayout.JAVA_FLOAT, c * per * Float.BYTES, (int) per);
            NpyFile.write(dir.resolve("all.npy"), new long[]{clips, frames, input}, all);
            for (int f = 0, at = 0; f < files; f++) {
                int n = clips / files + (f < clips % files ? 1 : 0);
                NpyFile.write(dir.resolve("npy").resolve(String.format("part-%04d.npy", f)), new long[]{n, frames, input}, all.asSlice(at * per * Float.BYTES));
                at += n;
            }
        }
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench data")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate();
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        List<Integer> ids = new ArrayList<>();
        for (int c = 0; c < clips; c++) ids.add(c);
        Dataset<Row> rows = spark.createDataFrame(
                spark.createDataset(ids, org.apache.spark.sql.Encoders.INT()).repartition(files).javaRDD().map(id -> RowFactory.create(id, clip(id, (int) per))), schema);
        rows.write().mode("overwrite").parquet(dir.resolve("clips.parquet").toString());
        spark.stop();
    }

    static void compare(Path dir, Path scores) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench compare")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate();
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array ref = NpyFile.read(dir.resolve("infer-logits.npy"), arena);
            int classes = (int) ref.shape()[1];
            List<Row> rows = spark.read().parquet(scores.toString()).select("id", "logits").collectAsList();
            int mismatched = 0;
            for (Row row : rows) {
                int id = row.getInt(0);
                List<Float> l = row.getList(1);
                for (int k = 0; k < classes; k++) {
                    if (Float.floatToRawIntBits(l.get(k)) != Float.floatToRawIntBits(Weights.get(ref.data(), (long) id * classes + k))) {
                        mismatched++;
                        break;
                    }
                }
            }
            System.out.printf("compare: %d clips, %d differ from fdht infer in any bit%n", rows.size(), mismatched);
            if (mismatched > 0 || rows.size() != ref.shape()[0]) System.exit(1);
        } finally {
            spark.stop();
        }
    }
}
