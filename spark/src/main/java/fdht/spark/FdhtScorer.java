package fdht.spark;

import fdht.kernels.model.Model;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores video clips with an fdht model on Apache Spark, through the model API ({@link Model}): any
 * model file {@code fdht infer} runs (one layer or a stack, one direction or both). The model file
 * is named by path; each executor JVM loads it once ({@link ExecutorModels}, keyed by path and
 * checksum) and its tasks share it; each partition brings its own {@link
 * fdht.kernels.model.Predictor} and input buffer, closed when the partition is done (a
 * task-completion listener covers failures), and runs its clips through the predictor in chunks of
 * {@link #batch} clips. Per clip the scores are bit for bit those of {@code fdht infer} on the same
 * clip, whatever the partitioning and batch size.
 *
 * <p>Output columns: {@code logits} ({@code array<float>}, when the model has a head), {@code
 * label} (their argmax, int), {@code hidden} (the last layer's output at the last frame, {@code
 * D*H} floats: the head's input; when asked for or when the model has no head), {@code error} (why
 * a clip could not be scored, under {@link BadRows#ERROR_COLUMN}; null for scored rows). The
 * features column is dropped; every other input column is kept.
 *
 * <p>Needs a classic (non-Connect) {@link SparkSession}: the scorer runs in the executors' JVMs.
 * Executors need {@code --add-modules=jdk.incubator.vector} for the Vector API kernels (without it
 * they fall back to the scalar kernels, which score slower and not bit-identically to a JVM that
 * has it). Immutable and thread-safe; building a scorer reads the model file once on the driver
 * (checksum and shape).
 */
public final class FdhtScorer {
    /**
     * Clips a partition runs through its predictor at once: one lane group of the 512-bit kernels,
     * which amortises the per-stage calls over 16 rows (tools/spark_score_bench.sh's batch table
     * times a partition's work at 1 to 64); its input buffer is 16 clips (2 MB of MFM-40 clips).
     */
    public static final int DEFAULT_BATCH = 16;

    private final ModelRef model;
    private final int inputSize;
    private final boolean hasHead;
    private final int batch;
    private final boolean hidden;
    private final BadRows badRows;

    private FdhtScorer(
            ModelRef model,
            int inputSize,
            boolean hasHead,
            int batch,
            boolean hidden,
            BadRows badRows) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        this.model = model;
        this.inputSize = inputSize;
        this.hasHead = hasHead;
        this.batch = batch;
        this.hidden = hidden || !hasHead;
        this.badRows = badRows;
    }

    /**
     * A scorer for the model file at {@code model} (read here, on the driver, for its checksum and
     * shape).
     */
    public static FdhtScorer of(Path model) {
        ModelRef ref = ModelRef.of(model);
        Model m = ExecutorModels.get(ref);
        return new FdhtScorer(
                ref, m.inputSize(), m.hasHead(), DEFAULT_BATCH, false, BadRows.ERROR_COLUMN);
    }

    /** This scorer running {@code batch} clips at a time in each partition. */
    public FdhtScorer withBatch(int batch) {
        return new FdhtScorer(model, inputSize, hasHead, batch, hidden, badRows);
    }

    /** This scorer adding (or not) each clip's final hidden state as column {@code hidden}. */
    public FdhtScorer withHidden(boolean hidden) {
        return new FdhtScorer(model, inputSize, hasHead, batch, hidden, badRows);
    }

    /** This scorer treating clips it cannot score as {@code policy} says. */
    public FdhtScorer withBadRows(BadRows policy) {
        return new FdhtScorer(model, inputSize, hasHead, batch, hidden, policy);
    }

    public ModelRef model() {
        return model;
    }

    public int batch() {
        return batch;
    }

    public int inputSize() {
        return inputSize;
    }

    /**
     * Scores every row of {@code clips}: column {@code featuresColumn} holds a clip as {@code
     * array<float>} ({@code T * N_x} floats, frame after frame), {@code array<array<float>>}
     * ({@code T} frames of {@code N_x}) or {@code binary} ({@code T * N_x} little-endian float32
     * values, frame after frame: the fastest to read). Lazy, like any Dataset transformation; the
     * rows keep their partitioning and order. A clip that does not fit gets an error (or fails the
     * job, by {@link BadRows}); {@link #requireSomeClipFits} refuses up front an input where none
     * fits.
     */
    public Dataset<Row> score(Dataset<Row> clips, String featuresColumn) {
        return score(clips, featuresColumn, false);
    }

    /**
     * Scores every row of the Parquet data set at {@code path} (a file or directory, or a Hadoop
     * URI) as {@link #score} does, with the same rows in the same order. When the clip column is
     * {@code binary}, every file is local, and {@link MappedParquetClips} can read the column of
     * each (PLAIN or dictionary-encoded values, uncompressed or Snappy pages: what Spark and
     * pyarrow write for clips), Spark reads only the other columns and each task reads its clips
     * from the mapped files, which is faster (docs/PERFORMANCE.md, section "Spark"); otherwise
     * Spark's reader reads them, and {@link #mappedReadRefusal} says why.
     */
    public Dataset<Row> scoreParquet(SparkSession spark, String path, String featuresColumn) {
        Dataset<Row> clips = spark.read().parquet(path);
        return score(clips, featuresColumn, mappedReadRefusal(clips, featuresColumn) == null);
    }

    /**
     * Null when {@link #scoreParquet} reads column {@code featuresColumn} of {@code clips} (a data
     * set as {@code spark.read().parquet(path)} gives it) from the mapped files, else why not.
     * Reads every file's footer.
     */
    public static String mappedReadRefusal(Dataset<Row> clips, String featuresColumn) {
        StructType in = clips.schema();
        int f = Arrays.asList(in.fieldNames()).indexOf(featuresColumn);
        if (f < 0) return "no column '" + featuresColumn + "'";
        if (!in.fields()[f].dataType().equals(DataTypes.BinaryType))
            return "column '" + featuresColumn + "' is not binary";
        if (Arrays.asList(in.fieldNames()).contains("_metadata"))
            return "a column is named _metadata, as Spark's file metadata";
        for (String file : clips.inputFiles()) {
            URI uri = URI.create(file);
            if (!"file".equals(uri.getScheme())) return file + " is not a local file";
            String why = MappedParquetClips.unreadable(Path.of(uri), featuresColumn);
            if (why != null) return why;
        }
        return null;
    }

    /** {@link #score}, reading a binary clip column from the mapped files when {@code mapped}. */
    Dataset<Row> score(Dataset<Row> clips, String featuresColumn, boolean mapped) {
        StructType in = clips.schema();
        int f = Arrays.asList(in.fieldNames()).indexOf(featuresColumn);
        if (f < 0)
            throw new IllegalArgumentException(
                    "no column '" + featuresColumn + "' among " + Arrays.toString(in.fieldNames()));
        FeatureLayout layout =
                FeatureLayout.of(featuresColumn, in.fields()[f].dataType(), inputSize);
        List<Column> keptColumns = new ArrayList<>();
        List<StructField> keptFields = new ArrayList<>();
        for (StructField field : in.fields()) {
            if (field.name().equals(featuresColumn)) continue;
            if (resultColumns().contains(field.name()))
                throw new IllegalArgumentException(
                        "input column '"
                                + field.name()
                                + "' would clash with the output column of that name; rename it");
            keptColumns.add(functions.col("`" + field.name().replace("`", "``") + "`"));
            keptFields.add(field);
        }
        StructType keptSchema = new StructType(keptFields.toArray(StructField[]::new));
        List<Column> projected = new ArrayList<>();
        if (!keptColumns.isEmpty())
            projected.add(functions.struct(keptColumns.toArray(Column[]::new)).as("kept"));
        if (mapped) { // where each clip lies: its file and row, Spark's file metadata
            projected.add(functions.col("_metadata.file_path"));
            projected.add(functions.col("_metadata.row_index"));
        } else {
            projected.add(functions.col("`" + featuresColumn.replace("`", "``") + "`"));
        }
        Dataset<Row> narrowed = clips.select(projected.toArray(Column[]::new));
        RDD<InternalRow> rows =
                ((org.apache.spark.sql.classic.Dataset<Row>) narrowed).queryExecution().toRdd();
        RowScoring task = new RowScoring(model, layout, keptSchema, batch, hidden, badRows, mapped);
        RDD<InternalRow> scored = rows.toJavaRDD().mapPartitions(task).rdd();
        StructType out =
                new StructType()
                        .add("kept", keptSchema, false)
                        .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                        .add("label", DataTypes.IntegerType, true)
                        .add("hidden", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                        .add("error", DataTypes.StringType, true);
        Dataset<Row> df = session(clips.sparkSession()).internalCreateDataFrame(scored, out, false);
        List<Column> select = new ArrayList<>();
        if (!keptColumns.isEmpty()) select.add(functions.col("kept.*"));
        select.addAll(resultSelection());
        return df.select(select.toArray(Column[]::new));
    }

    /**
     * Scores every clip of the {@code .npy} files in {@code dir} (float32, {@code [T, N_x]} or
     * {@code [B, T, N_x]}), the files spread over {@code partitions} tasks (0: three per core of
     * Spark's default parallelism, at most one per file). Rows: {@code file}, {@code clip} (its
     * index in the file), then the result columns. {@code dir} must be readable at the same path by
     * every executor (local mode, or a shared file system).
     */
    public Dataset<Row> scoreNpy(SparkSession spark, Path dir, int partitions) {
        List<String> files = npyFiles(dir);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // by default three tasks per core: a core slowed by something else then does not hold up
        // the job
        int parts =
                Math.max(
                        1,
                        Math.min(
                                files.size(),
                                partitions > 0 ? partitions : 3 * jsc.defaultParallelism()));
        JavaRDD<String> paths = jsc.parallelize(files, parts);
        RDD<InternalRow> scored =
                paths.mapPartitions(new NpyScoring(model, batch, hidden, badRows)).rdd();
        StructType out =
                new StructType()
                        .add("file", DataTypes.StringType, false)
                        .add("clip", DataTypes.IntegerType, true)
                        .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                        .add("label", DataTypes.IntegerType, true)
                        .add("hidden", DataTypes.createArrayType(DataTypes.FloatType, false), true)
                        .add("error", DataTypes.StringType, true);
        Dataset<Row> df = session(spark).internalCreateDataFrame(scored, out, false);
        List<Column> select =
                new ArrayList<>(List.of(functions.col("file"), functions.col("clip")));
        select.addAll(resultSelection());
        return df.select(select.toArray(Column[]::new));
    }

    /**
     * Refuses, before any scoring, an input none of whose clips could fit this model: the error
     * column is for clips that are bad one by one, not for a model and data set that do not go
     * together. Passes when some non-null clip of {@code featuresColumn} has the model's frame
     * width ({@code N_x} floats, or {@code T * N_x} for a flat column, {@code 4 T N_x} bytes for a
     * binary one), and when {@code clips} is empty. Runs a Spark job that stops at the first clip
     * that fits (in practice, the first row), so only an input that fits nowhere is read whole; the
     * {@link IllegalArgumentException} then names what one of its clips holds.
     */
    public void requireSomeClipFits(Dataset<Row> clips, String featuresColumn) {
        int f = Arrays.asList(clips.schema().fieldNames()).indexOf(featuresColumn);
        if (f < 0)
            throw new IllegalArgumentException(
                    "no column '"
                            + featuresColumn
                            + "' among "
                            + Arrays.toString(clips.schema().fieldNames()));
        FeatureLayout layout =
                FeatureLayout.of(featuresColumn, clips.schema().fields()[f].dataType(), inputSize);
        String c = "`" + featuresColumn.replace("`", "``") + "`";
        // null arrays and frames make size() null or -1: such clips do not fit
        long frameBytes = (long) inputSize * Float.BYTES;
        String fits =
                switch (layout.kind()) {
                    case NESTED ->
                            "size("
                                    + c
                                    + ") > 0 AND forall("
                                    + c
                                    + ", x -> size(x) = "
                                    + inputSize
                                    + ")";
                    case FLAT -> "size(" + c + ") > 0 AND size(" + c + ") % " + inputSize + " = 0";
                    case BINARY ->
                            "octet_length("
                                    + c
                                    + ") > 0 AND octet_length("
                                    + c
                                    + ") % "
                                    + frameBytes
                                    + " = 0";
                };
        if (!clips.filter(functions.expr(fits)).isEmpty() || clips.isEmpty()) return;
        String size = layout.kind() == FeatureLayout.Kind.BINARY ? "octet_length" : "size";
        List<Row> first =
                clips.filter(functions.expr(size + "(" + c + ") > 0"))
                        .select(
                                functions.expr(
                                        layout.nested()
                                                ? "size(try_element_at(" + c + ", 1))"
                                                : size + "(" + c + ")"))
                        .limit(1)
                        .collectAsList();
        String holds =
                first.isEmpty() || first.get(0).isNullAt(0)
                        ? "every clip in it is null or empty"
                        : switch (layout.kind()) {
                            case NESTED ->
                                    "a clip's first frame holds "
                                            + first.get(0).getInt(0)
                                            + " floats";
                            case FLAT ->
                                    "a clip holds "
                                            + first.get(0).getInt(0)
                                            + " floats, not a multiple of "
                                            + inputSize;
                            case BINARY ->
                                    "a clip holds "
                                            + first.get(0).getInt(0)
                                            + " bytes, not a multiple of "
                                            + frameBytes
                                            + " (N_x float32 values)";
                        };
        throw new IllegalArgumentException(
                "no clip in column '"
                        + featuresColumn
                        + "' fits the model, which takes frames of N_x = "
                        + inputSize
                        + " floats: "
                        + holds);
    }

    /**
     * Refuses, before any scoring, a directory none of whose {@code .npy} files holds clips this
     * model takes (float32, {@code [T, N_x]} or {@code [B, T, N_x]}, at least one frame), as {@link
     * #requireSomeClipFits} does for a data set. Reads file headers on the driver, one file at a
     * time, until the first that fits; the {@link IllegalArgumentException} names what the first
     * few files hold.
     */
    public void requireSomeFileFits(Path dir) {
        List<String> seen = new ArrayList<>();
        List<String> files = npyFiles(dir);
        for (String file : files) {
            Path p = Path.of(file);
            try {
                long[] shape = NpyFile.shape(p);
                long elements = 1;
                for (long d : shape) elements *= d;
                if ((shape.length == 2 || shape.length == 3)
                        && shape[shape.length - 1] == inputSize
                        && elements > 0) return;
                if (seen.size() < 3) seen.add(p.getFileName() + " " + Arrays.toString(shape));
            } catch (ModelFileException e) {
                if (seen.size() < 3) seen.add(e.getMessage());
            }
        }
        throw new IllegalArgumentException(
                "no .npy file in "
                        + dir
                        + " holds clips the model takes ([T, "
                        + inputSize
                        + "] or [B, T, "
                        + inputSize
                        + "] float32): "
                        + String.join(", ", seen)
                        + (files.size() > seen.size()
                                ? " and " + (files.size() - seen.size()) + " more"
                                : ""));
    }

    /** The {@code .npy} files directly in {@code dir}, by name. */
    static List<String> npyFiles(Path dir) {
        if (!Files.isDirectory(dir))
            throw new IllegalArgumentException(dir + " is not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            List<String> files =
                    s.filter(
                                    p ->
                                            p.getFileName().toString().endsWith(".npy")
                                                    && Files.isRegularFile(p))
                            .map(p -> p.toAbsolutePath().normalize().toString())
                            .sorted()
                            .toList();
            if (files.isEmpty()) throw new IllegalArgumentException("no .npy file in " + dir);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<String> resultColumns() {
        return List.of("logits", "label", "hidden", "error", "kept");
    }

    /** The result columns this scorer's output has, in order. */
    private List<Column> resultSelection() {
        List<Column> c = new ArrayList<>();
        if (hasHead) {
            c.add(functions.col("logits"));
            c.add(functions.col("label"));
        }
        if (hidden) c.add(functions.col("hidden"));
        if (badRows == BadRows.ERROR_COLUMN) c.add(functions.col("error"));
        return c;
    }

    private static org.apache.spark.sql.classic.SparkSession session(SparkSession spark) {
        if (spark instanceof org.apache.spark.sql.classic.SparkSession classic) return classic;
        throw new IllegalArgumentException(
                "fdht scores in the executors' JVMs and needs a classic SparkSession, not "
                        + spark.getClass().getName()
                        + " (Spark Connect)");
    }
}
