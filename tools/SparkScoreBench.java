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
 *   data DIR CLIPS FRAMES INPUT FILES   copies the bundled MFM-40 model to DIR/model.safetensors (FDHT rank 4, H 128, 40 classes; INPUT must be
 *                                        its 4,096), writes DIR/all.npy [CLIPS, FRAMES, INPUT] for fdht infer, the same clips as FILES .npy
 *                                        files in DIR/npy/, as Parquet (id, features array<float> [T*N]) in DIR/clips.parquet and as Parquet
 *                                        (id, features binary: T*N little-endian float32) in DIR/clips-binary.parquet (Snappy, Spark's
 *                                        default) and DIR/clips-binary-none.parquet (uncompressed)
 *   batch DIR CLIPS ROUNDS               times what a partition does (a Predictor's logits on chunks of DIR/all.npy, from the zero state)
 *                                        at batch 1, 4, 16, 32, 64, the batch sizes interleaved, ROUNDS times, one thread; prints the best round
 *   parts DIR ROUNDS                     in one warm local[2] session, ROUNDS times: scoring DIR/npy, then for each Parquet copy, at Spark's
 *                                        default 4,096 rows a reader batch and at fdht score's 32: Spark reading it into rows (no scoring)
 *                                        and scoring it (outputs to Spark's noop sink)
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

    static byte[] littleEndian(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * Float.BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static void data(Path dir, int clips, int frames, int input, int files) throws Exception {
        Files.createDirectories(dir.resolve("npy"));
        // the bundled MFM-40 model (FDHT rank 4, N_x 4,096, H 128, 40 classes): what issue 23 measures
        Files.copy(Path.of("cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors"), dir.resolve("model.safetensors"));
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
        List<Integer> ids = new ArrayList<>();
        for (int c = 0; c < clips; c++) ids.add(c);
        var idRdd = spark.createDataset(ids, org.apache.spark.sql.Encoders.INT()).repartition(files).javaRDD();
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        spark.createDataFrame(idRdd.map(id -> RowFactory.create(id, clip(id, (int) per))), schema)
                .write().mode("overwrite").parquet(dir.resolve("clips.parquet").toString());
        // the same clips as a binary column: little-endian float32 bytes, what numpy's tobytes() gives
        StructType binary = new StructType().add("id", DataTypes.IntegerType, false).add("features", DataTypes.BinaryType, false);
        spark.createDataFrame(idRdd.map(id -> RowFactory.create(id, littleEndian(clip(id, (int) per)))), binary)
                .write().mode("overwrite").parquet(dir.resolve("clips-binary.parquet").toString());
        // and uncompressed: float32 clips hardly compress, and Snappy costs a pass over every byte
        spark.read().parquet(dir.resolve("clips-binary.parquet").toString())
                .write().mode("overwrite").option("compression", "none").parquet(dir.resolve("clips-binary-none.parquet").toString());
        spark.stop();
    }

    static void parts(Path dir, int rounds) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench parts")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate();
        fdht.spark.FdhtScorer scorer = fdht.spark.FdhtScorer.of(dir.resolve("model.safetensors"));
        String[][] inputs = {{"array Parquet", "clips.parquet"}, {"binary Parquet", "clips-binary.parquet"}, {"binary Parquet, uncompressed", "clips-binary-none.parquet"}};
        int[] readerBatches = {4096, 32}; // Spark's default rows a batch, and what fdht score sets
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder(String.format("  round %d:", r + 1));
            long t0 = System.nanoTime();
            scorer.scoreNpy(spark, dir.resolve("npy"), 0).write().format("noop").mode("overwrite").save();
            line.append(String.format(" .npy scored %.2f s;", (System.nanoTime() - t0) / 1e9));
            for (String[] input : inputs) {
                for (int rows : readerBatches) {
                    spark.conf().set("spark.sql.parquet.columnarReaderBatchSize", String.valueOf(rows));
                    Dataset<Row> in = spark.read().parquet(dir.resolve(input[1]).toString());
                    long t1 = System.nanoTime();
                    in.select(org.apache.spark.sql.functions.col("id"), org.apache.spark.sql.functions.col("features")).write().format("noop").mode("overwrite").save();
                    long t2 = System.nanoTime();
                    scorer.score(in, "features").write().format("noop").mode("overwrite").save();
                    long t3 = System.nanoTime();
                    line.append(String.format(" %s, %d rows a batch: read into rows %.2f s, scored %.2f s;", input[0], rows, (t2 - t1) / 1e9, (t3 - t2) / 1e9));
                }
                if (fdht.spark.FdhtScorer.mappedReadRefusal(spark.read().parquet(dir.resolve(input[1]).toString()), "features") == null) {
                    long t1 = System.nanoTime();
                    scorer.scoreParquet(spark, dir.resolve(input[1]).toString(), "features").write().format("noop").mode("overwrite").save();
                    line.append(String.format(" %s, read from the mapped files: scored %.2f s;", input[0], (System.nanoTime() - t1) / 1e9));
                }
            }
            System.out.println(line.append(String.format(" (load %.1f)", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())));
        }
        spark.stop();
    }

    static void batch(Path dir, int clips, int rounds) {
        int[] sizes = {1, 4, 16, 32, 64};
        double[] best = new double[sizes.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        try (fdht.kernels.model.Model model = fdht.kernels.model.Model.load(dir.resolve("model.safetensors"));
                Arena arena = Arena.ofConfined()) {
            NpyFile.Array all = NpyFile.read(dir.resolve("all.npy"), arena);
            clips = (int) Math.min(clips, all.shape()[0]); // no more than the file holds
            int frames = (int) all.shape()[1];
            long per = (long) frames * model.inputSize();
            float[] logits = new float[64 * model.classes()];
            for (int r = 0; r < rounds; r++) {
                for (int s = 0; s < sizes.length; s++) {
                    int b = sizes[s];
                    if (b > clips) continue; // not one whole batch of that size
                    try (fdht.kernels.model.Predictor p = model.newPredictor(b, frames)) {
                        long t0 = System.nanoTime();
                        for (int from = 0; from + b <= clips; from += b)
                            p.logits(all.data().asSlice(from * per * Float.BYTES, b * per * Float.BYTES), b, frames, logits);
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
