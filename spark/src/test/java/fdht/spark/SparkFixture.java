package fdht.spark;

import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.ColumnFactorization;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.NpyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import picocli.CommandLine;

/**
 * What the Spark tests share: one local[2] session for the whole JVM (surefire runs one fork), a
 * small FDHT model with a head written to a file, random clips, and {@code fdht infer} itself.
 */
final class SparkFixture {
    static final int INPUT = 200, HIDDEN = 16, CLASSES = 5;
    private static SparkSession spark;

    private SparkFixture() {}

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark =
                    SparkSession.builder()
                            .master("local[2]")
                            .appName("fdht-spark-test")
                            .config("spark.driver.bindAddress", "127.0.0.1")
                            .config("spark.driver.host", "127.0.0.1")
                            .config("spark.ui.enabled", "false")
                            .config("spark.sql.shuffle.partitions", "2")
                            .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /**
     * Writes an FDHT model ({@value #INPUT} inputs, {@value #HIDDEN} hidden, {@value
     * #CLASSES}-class head) made from {@code seed}.
     */
    static Path model(Path dir, long seed) {
        Path file = dir.resolve("model-" + seed + ".safetensors");
        try (Arena arena = Arena.ofConfined()) {
            int[] rows = {4, 4, 4};
            int[] cols = ColumnFactorization.cheapest(INPUT + HIDDEN, rows, 3, 0.06, 32, 3);
            Lstm lstm =
                    Lstm.fdht(
                                    HtMatrix.random(HtFormat.uniform(rows, cols, 3), seed, arena),
                                    INPUT,
                                    random(4 * HIDDEN, seed + 1, 0.1),
                                    arena)
                            .withHead(
                                    new DenseHead(
                                            random(CLASSES * HIDDEN, seed + 2, 0.5),
                                            random(CLASSES, seed + 3, 0.1),
                                            CLASSES,
                                            HIDDEN,
                                            arena));
            LstmModelFile.write(lstm, file);
        }
        return file;
    }

    /**
     * Writes a stack of two bidirectional FDHT layers ({@value #INPUT} inputs, {@value #HIDDEN}
     * hidden a direction, a {@value #CLASSES}-class head over both directions' last output) made
     * from {@code seed}: what {@code fdht infer} runs and the scorer used to refuse.
     */
    static Path bidirectionalModel(Path dir, long seed) {
        Path file = dir.resolve("bidirectional-" + seed + ".safetensors");
        try (Arena arena = Arena.ofConfined()) {
            int[] rows = {4, 4, 4};
            Lstm[][] layers = new Lstm[2][2];
            for (int l = 0; l < 2; l++) {
                int input = l == 0 ? INPUT : 2 * HIDDEN;
                int[] cols = ColumnFactorization.cheapest(input + HIDDEN, rows, 3, 0.06, 32, 3);
                for (int d = 0; d < 2; d++) {
                    long s = seed + 10L * (2 * l + d);
                    layers[l][d] =
                            Lstm.fdht(
                                    HtMatrix.random(HtFormat.uniform(rows, cols, 3), s, arena),
                                    input,
                                    random(4 * HIDDEN, s + 1, 0.1),
                                    arena);
                }
            }
            DenseHead head =
                    new DenseHead(
                            random(CLASSES * 2 * HIDDEN, seed + 50, 0.5),
                            random(CLASSES, seed + 51, 0.1),
                            CLASSES,
                            2 * HIDDEN,
                            arena);
            LstmModelFile.write(LstmStack.of(layers, head), file);
        }
        return file;
    }

    /**
     * Clips as Parquet rows {@code (id, features)}, {@code features} {@code binary}: each clip's
     * floats as little-endian float32 bytes ({@link #littleEndian}), or a given {@code byte[]}, or
     * null; written to {@code file} and read back.
     */
    static Dataset<Row> binaryParquet(Path file, List<Object[]> rows) {
        StructType schema =
                new StructType()
                        .add("id", DataTypes.IntegerType, false)
                        .add("features", DataTypes.BinaryType, true);
        List<Row> r = new ArrayList<>();
        for (Object[] o : rows)
            r.add(
                    RowFactory.create(
                            o[0], o[1] instanceof float[] f ? littleEndian(f) : (byte[]) o[1]));
        spark().createDataFrame(r, schema).write().mode("overwrite").parquet(file.toString());
        return spark().read().parquet(file.toString());
    }

    /** The floats as little-endian float32 bytes, as numpy's {@code astype('<f4').tobytes()}. */
    static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /**
     * Clips as Parquet rows {@code (id, features)}, {@code features} flat {@code array<float>} or
     * nested {@code array<array<float>>}, written to {@code file} and read back (arrays come back
     * nullable, as in real data).
     */
    static Dataset<Row> parquet(Path file, List<Object[]> rows, boolean nested) {
        StructType schema =
                new StructType()
                        .add("id", DataTypes.IntegerType, false)
                        .add(
                                "features",
                                nested
                                        ? DataTypes.createArrayType(
                                                DataTypes.createArrayType(DataTypes.FloatType))
                                        : DataTypes.createArrayType(DataTypes.FloatType),
                                true);
        List<Row> r = new ArrayList<>();
        for (Object[] o : rows) r.add(RowFactory.create(o));
        spark().createDataFrame(r, schema).write().mode("overwrite").parquet(file.toString());
        return spark().read().parquet(file.toString());
    }

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    /**
     * Writes {@code clips} ({@code [B][T*N]}) as one float32 .npy of shape {@code [B, T, N]} (or
     * {@code [T, N]} when {@code flat2d} and B = 1).
     */
    static void writeNpy(Path file, float[][] clips, int frames, boolean twoD) {
        try (Arena arena = Arena.ofConfined()) {
            int per = frames * INPUT;
            MemorySegment data = Weights.floats(arena, (long) clips.length * per);
            for (int b = 0; b < clips.length; b++)
                MemorySegment.copy(
                        clips[b],
                        0,
                        data,
                        java.lang.foreign.ValueLayout.JAVA_FLOAT,
                        (long) b * per * Float.BYTES,
                        per);
            NpyFile.write(
                    file,
                    twoD ? new long[] {frames, INPUT} : new long[] {clips.length, frames, INPUT},
                    data);
        }
    }

    /**
     * {@code count} clips of {@code frames} frames ({@code [count][T*N]}), clip b from seed + b.
     */
    static float[][] clips(int count, int frames, long seed) {
        float[][] clips = new float[count][];
        for (int b = 0; b < count; b++) clips[b] = random(frames * INPUT, seed + b, 1);
        return clips;
    }

    /**
     * The logits {@code fdht infer} writes for the clips of {@code npy} with {@code model} ({@code
     * [B][C]}), through {@code out}; {@code more} are further options ({@code --threads}, {@code
     * --hidden-out}).
     */
    static float[][] inferLogits(Path model, Path npy, Path out, String... more) {
        String[] args = new String[6 + more.length];
        String[] base = {
            "--model", model.toString(), "--input", npy.toString(), "--logits-out", out.toString()
        };
        System.arraycopy(base, 0, args, 0, 6);
        System.arraycopy(more, 0, args, 6, more.length);
        infer(args);
        return readNpy(out);
    }

    /** Runs {@code fdht infer} (the real command) and returns its exit code and stderr. */
    static String infer(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new fdht.cli.Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "infer";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        if (code != 0) throw new AssertionError("fdht infer exited " + code + ": " + err + out);
        return out.toString();
    }

    /** An .npy written by infer, as [rows][cols]. */
    static float[][] readNpy(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array a = NpyFile.read(file, arena);
            long[] s = a.shape();
            int rows = s.length == 1 ? 1 : (int) s[0];
            int cols = (int) (a.elements() / rows);
            float[][] out = new float[rows][];
            for (int r = 0; r < rows; r++)
                out[r] = Weights.toArray(a.data(), (long) r * cols, cols);
            return out;
        }
    }
}
