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
 *   batch DIR CLIPS ROUNDS               times what a partition does (Lstm.run + the head on slices of DIR/all.npy, from the zero state)
 *                                        at batch 1, 2, 4, 8, 16, 32, the batch sizes interleaved, ROUNDS times, one thread; prints the best round
 *   parts DIR ROUNDS                     in one warm local[2] session, ROUNDS times: Spark reading DIR/clips.parquet into rows (no scoring),
 *                                        the same through the scorer's projection, scoring it, scoring DIR/npy (outputs to Spark's noop sink)
 *   compare DIR SCORES.parquet           checks that every clip's logits in SCORES (of DIR/clips.parquet or DIR/npy) equal fdht infer's
 *                                        (DIR/infer-logits.npy) bit for bit
 */
public class SparkScoreBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("parts")) parts(dir, Integer.parseInt(args[2]));
        else if (args[0].equals("batch")) batch(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        else if (args[0].equals("data")) data(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
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

    static void parts(Path dir, int rounds) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench parts")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate();
        fdht.spark.FdhtScorer scorer = fdht.spark.FdhtScorer.of(dir.resolve("model.safetensors"));
        Dataset<Row> in = spark.read().parquet(dir.resolve("clips.parquet").toString());
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            in.select(org.apache.spark.sql.functions.col("id"), org.apache.spark.sql.functions.col("features")).write().format("noop").mode("overwrite").save();
            long t1 = System.nanoTime();
            in.select(org.apache.spark.sql.functions.struct(org.apache.spark.sql.functions.col("id")).as("k"), org.apache.spark.sql.functions.col("features"))
                    .write().format("noop").mode("overwrite").save();
            long t2 = System.nanoTime();
            scorer.score(in, "features").write().format("noop").mode("overwrite").save();
            long t3 = System.nanoTime();
            scorer.scoreNpy(spark, dir.resolve("npy"), 0).write().format("noop").mode("overwrite").save();
            long t4 = System.nanoTime();
            System.out.printf("  round %d: read Parquet into rows %.2f s, through the scorer's projection %.2f s, score Parquet %.2f s, score .npy %.2f s (load %.1f)%n", r + 1,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        spark.stop();
    }

    static void batch(Path dir, int clips, int rounds) {
        int[] sizes = {1, 2, 4, 8, 16, 32};
        double[] best = new double[sizes.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = LstmModelFile.read(dir.resolve("model.safetensors"), arena);
            NpyFile.Array all = NpyFile.read(dir.resolve("all.npy"), arena);
            clips = (int) Math.min(clips, all.shape()[0]); // no more than the file holds
            int frames = (int) all.shape()[1];
            long per = (long) frames * lstm.inputSize();
            MemorySegment logits = Weights.floats(arena, 32L * lstm.head().orElseThrow().classes());
            for (int r = 0; r < rounds; r++) {
                for (int s = 0; s < sizes.length; s++) {
                    int b = sizes[s];
                    if (b > clips) continue; // not one whole batch of that size
                    try (Arena part = Arena.ofConfined()) {
                        var state = lstm.newState(b, part);
                        var ws = lstm.newWorkspace(b, part);
                        long t0 = System.nanoTime();
                        for (int from = 0; from + b <= clips; from += b) {
                            state.reset();
                            lstm.run(all.data().asSlice(from * per * Float.BYTES), frames, state, ws, null);
                            lstm.logits(state, logits);
                        }
                        best[s] = Math.min(best[s], (System.nanoTime() - t0) / 1e3 / (clips / b * b));
                    }
                }
            }
        }
        for (int s = 0; s < sizes.length; s++) if (sizes[s] <= clips) System.out.printf("  batch %2d: %.1f us per clip (best of %d rounds, %d clips, one thread)%n", sizes[s], best[s], rounds, clips);
    }

    static void compare(Path dir, Path scores) throws java.io.IOException {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench compare")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate();
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array ref = NpyFile.read(dir.resolve("infer-logits.npy"), arena);
            int classes = (int) ref.shape()[1];
            Dataset<Row> out = spark.read().parquet(scores.toString());
            boolean npy = List.of(out.columns()).contains("file");
            java.util.Map<String, Integer> firstId = new java.util.HashMap<>();
            if (npy) { // clips of part-k.npy follow those of the files before it
                int at = 0;
                try (var files = Files.list(dir.resolve("npy"))) {
                    for (Path f : files.sorted().toList()) {
                        firstId.put(f.toAbsolutePath().toString(), at);
                        at += (int) NpyFile.read(f, arena).shape()[0];
                    }
                }
            }
            List<Row> rows = (npy ? out.select("file", "clip", "logits") : out.select("id", "logits")).collectAsList();
            int mismatched = 0;
            for (Row row : rows) {
                int id = npy ? firstId.get(row.getString(0)) + row.getInt(1) : row.getInt(0);
                List<Float> l = row.getList(npy ? 2 : 1);
                for (int k = 0; k < classes; k++) {
                    if (Float.floatToRawIntBits(l.get(k)) != Float.floatToRawIntBits(Weights.get(ref.data(), (long) id * classes + k))) {
                        mismatched++;
                        break;
                    }
                }
            }
            System.out.printf("compare %s: %d clips, %d differ from fdht infer in any bit%n", scores.getFileName(), rows.size(), mismatched);
            if (mismatched > 0 || rows.size() != ref.shape()[0]) System.exit(1);
        } finally {
            spark.stop();
        }
    }
}
