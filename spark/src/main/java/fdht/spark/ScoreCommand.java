package fdht.spark;

import fdht.layout.io.ModelFileException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht score}: scores every clip of a Parquet data set (a column of {@code binary}:
 * little-endian float32, {@code array<float>} or {@code array<array<float>>}) or of a directory of
 * {@code .npy} files with any model {@code fdht infer} runs (stacks and bidirectional models
 * included), on Spark ({@code local[*]} by default, this JVM then being the one executor), and
 * writes the scores as Parquet, atomically. Prints a progress line on stderr and a summary with the
 * start-up time and the rate. Errors exit 2 with one line on stderr ({@code --verbose}: stack trace
 * and Spark's log). It lives in this module, with its own {@code main}, so the {@code cli} module
 * stays free of Spark; the {@code fdht} launcher runs it for {@code fdht score}.
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description =
                "Score clips (Parquet or a directory of .npy) with a model on Apache Spark; write the scores as Parquet.")
public final class ScoreCommand implements Callable<Integer> {
    static final String READER_BATCH = "spark.sql.parquet.columnarReaderBatchSize";
    static final int CLIP_ROWS_A_BATCH = 32;

    /**
     * Spark decodes Parquet 4,096 rows a batch, a size for columns of a few bytes; clips are wide
     * (128 KB for MFM-40: a 512 MB batch, far out of cache), and 32 rows a batch read them 1.4-2x
     * faster (docs/PERFORMANCE.md, issue 23). Called only for a session the command created; a size
     * given in Spark's configuration (a {@code -Dspark.sql...} property, spark-submit's --conf)
     * stays.
     */
    static void sizeParquetBatches(SparkSession spark) {
        if (!spark.sparkContext().getConf().contains(READER_BATCH))
            spark.conf().set(READER_BATCH, CLIP_ROWS_A_BATCH);
    }

    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(
            names = "--input",
            required = true,
            description =
                    "a Parquet file or directory (a path, or a Hadoop URI such as hdfs://...), or a local directory of float32 .npy files ([T,N] or [B,T,N])")
    String input;

    @Option(
            names = "--out",
            required = true,
            description =
                    "the Parquet directory to write: a local path (written atomically) or a Hadoop URI (Spark's committer)")
    String out;

    @Option(
            names = "--master",
            defaultValue = "local[*]",
            description =
                    "Spark master (default ${DEFAULT-VALUE}); local masters bind to 127.0.0.1")
    String master;

    @Option(
            names = "--batch",
            description =
                    "clips a partition runs through its predictor at once (default "
                            + FdhtScorer.DEFAULT_BATCH
                            + ")")
    Integer batch;

    @Option(
            names = "--features",
            defaultValue = "features",
            description =
                    "Parquet column holding the clips: binary (T*N little-endian float32), array<float> or array<array<float>> (default ${DEFAULT-VALUE})")
    String features;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description =
                    ".npy input: tasks to spread the files over (default: 3 per core, at most one per file)")
    int partitions;

    @Option(
            names = "--spark-reader",
            description =
                    "Parquet input: read the clip column through Spark's Parquet reader even where fdht reads it from the mapped files")
    boolean sparkReader;

    @Option(names = "--hidden", description = "also write each clip's final hidden state")
    boolean hidden;

    @Option(
            names = "--bad-rows",
            defaultValue = "error-column",
            description = "error-column (default) or fail")
    String badRows;

    @Option(names = "--force", description = "replace --out if it exists")
    boolean force;

    @Option(names = "--verbose", description = "stack traces with errors, and Spark's own warnings")
    boolean verbose;

    @Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        // before any Spark class: Spark's log through our quiet configuration
        if (System.getProperty("log4j2.configurationFile") == null)
            System.setProperty("log4j2.configurationFile", "fdht/spark/log4j2-cli.properties");
        if (verbose) System.setProperty("fdht.spark.log", "WARN");
        System.exit(
                run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter stdout, PrintWriter stderr) {
        CommandLine cl = new CommandLine(new ScoreCommand());
        cl.setCommandName("fdht score");
        cl.setOut(stdout);
        cl.setErr(stderr);
        cl.setParameterExceptionHandler(
                (ex, a) -> {
                    ex.getCommandLine()
                            .getErr()
                            .println("fdht score: " + ex.getMessage() + " (see --help)");
                    return 2;
                });
        cl.setExecutionExceptionHandler(
                (ex, failed, result) -> {
                    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
                    stderr.println("fdht score: " + oneLine(ex, verbose));
                    if (verbose) ex.printStackTrace(stderr);
                    stderr.flush();
                    return 2;
                });
        int code = cl.execute(args);
        stdout.flush();
        stderr.flush();
        return code;
    }

    /**
     * What went wrong, in one line: the user's error when there is one (Spark wraps a task's
     * exception a few times), else Spark's own error for users (a file that is not Parquet, say),
     * else the exception's class and message; only the first line of any of these: Spark's messages
     * run to several lines (a driver stack trace, a query plan), which {@code --verbose} shows with
     * the trace.
     */
    static String oneLine(Throwable ex, boolean verbose) {
        Throwable reason = userError(ex);
        String message =
                reason != null
                        ? String.valueOf(reason.getMessage()).replaceFirst("^fdht: ", "")
                        : ex instanceof org.apache.spark.SparkThrowable // Spark's errors for users
                                ? String.valueOf(ex.getMessage())
                                : "unexpected "
                                        + ex.getClass().getName()
                                        + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        String first = message.strip().lines().findFirst().orElse("").strip();
        return first.length() < message.strip().length() && !verbose
                ? first + " (--verbose for the rest)"
                : first;
    }

    /**
     * The innermost cause that is an error in the user's input (Spark wraps a task's exception a
     * few times), or null.
     */
    static Throwable userError(Throwable e) {
        Throwable found = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ModelFileException
                    || t instanceof IllegalArgumentException
                    || t instanceof UncheckedIOException) found = t;
        }
        return found;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        BadRows policy =
                switch (badRows.toLowerCase(Locale.ROOT)) {
                    case "error-column" -> BadRows.ERROR_COLUMN;
                    case "fail" -> BadRows.FAIL;
                    default ->
                            throw new IllegalArgumentException(
                                    "--bad-rows " + badRows + ": use error-column or fail");
                };
        if (batch != null && batch < 1)
            throw new IllegalArgumentException("--batch " + batch + " must be at least 1");
        Path localIn = localPath(input), localOut = localPath(out);
        if (localIn != null && !Files.exists(localIn))
            throw new IllegalArgumentException("--input " + input + ": no such file or directory");
        if (localOut != null && Files.exists(localOut) && !force)
            throw new IllegalArgumentException(
                    "--out " + out + " exists (use --force to replace it)");
        Path outDir = localOut == null ? null : localOut.toAbsolutePath().normalize().getParent();
        if (outDir != null && !Files.isDirectory(outDir))
            throw new IllegalArgumentException(
                    "--out "
                            + out
                            + ": the directory "
                            + (localOut.getParent() != null ? localOut.getParent() : outDir)
                            + " does not exist");
        FdhtScorer scorer = FdhtScorer.of(model).withHidden(hidden).withBadRows(policy);
        if (batch != null) scorer = scorer.withBatch(batch);
        boolean npy = localIn != null && Files.isDirectory(localIn) && hasNpy(localIn);
        // --partitions spreads .npy files over tasks; a Parquet input keeps its own partitioning,
        // so the option would do nothing there
        if (partitions < 0)
            throw new IllegalArgumentException(
                    "--partitions " + partitions + " must be at least 1 (or 0: the default)");
        if (partitions != 0 && !npy)
            throw new IllegalArgumentException(
                    "--partitions applies to a directory of .npy files; "
                            + input
                            + " is read as Parquet, in its own partitions");
        if (npy) scorer.requireSomeFileFits(localIn); // before Spark starts: headers only

        long t0 = System.nanoTime();
        boolean ours =
                SparkSession.getDefaultSession()
                        .isEmpty(); // embedded in a JVM that has one: use it, leave it running
        SparkSession.Builder b = SparkSession.builder().master(master).appName("fdht score");
        if (master.startsWith("local")) {
            b.config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.ui.enabled", "false");
        }
        SparkSession spark = b.getOrCreate();
        if (ours) sizeParquetBatches(spark);
        double startup = (System.nanoTime() - t0) / 1e9;
        Progress progress = new Progress(err);
        spark.sparkContext().addSparkListener(progress);
        try {
            long t1 = System.nanoTime();
            Dataset<Row> scored;
            if (npy) {
                scored = scorer.scoreNpy(spark, localIn, partitions);
            } else {
                Dataset<Row> clips = spark.read().parquet(input);
                scorer.requireSomeClipFits(clips, features);
                // FdhtScorer.scoreParquet, with the reason for Spark's reader told
                String refusal =
                        sparkReader
                                ? "--spark-reader"
                                : FdhtScorer.mappedReadRefusal(clips, features);
                err.println(
                        refusal == null
                                ? "fdht score: reading '"
                                        + features
                                        + "' from the mapped Parquet files"
                                : "fdht score: reading '"
                                        + features
                                        + "' through Spark's Parquet reader: "
                                        + refusal);
                scored = scorer.score(clips, features, refusal == null);
            }
            if (localOut != null)
                AtomicDirectory.write(
                        localOut, force, tmp -> scored.write().parquet(tmp.toString()));
            else
                scored.write()
                        .mode(force ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                        .parquet(out); // the committer publishes it whole, with _SUCCESS
            double seconds = (System.nanoTime() - t1) / 1e9;
            progress.done();
            Dataset<Row> written = spark.read().parquet(out);
            long clips = written.count();
            long bad =
                    policy == BadRows.ERROR_COLUMN
                            ? written.filter(functions.col("error").isNotNull()).count()
                            : 0;
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "fdht score: %,d clips (%,d not scored) with %s, batch %d, master %s: Spark start-up %.2f s, scoring and writing %.2f s (%.1f clips/s); wrote %s%n",
                            clips,
                            bad,
                            model.getFileName(),
                            scorer.batch(),
                            master,
                            startup,
                            seconds,
                            clips / seconds,
                            out);
            return 0;
        } finally {
            progress.done();
            spark.sparkContext().removeSparkListener(progress);
            if (ours) spark.stop();
        }
    }

    /**
     * The local path {@code s} names (a plain path or a file: URI), or null for another file
     * system's URI.
     */
    static Path localPath(String s) {
        if (s.startsWith("file:")) return Path.of(java.net.URI.create(s));
        if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) return null;
        return Path.of(s);
    }

    private static boolean hasNpy(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".npy"));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The progress line: tasks finished of tasks submitted, rewritten in place on a terminal, else
     * every tenth.
     */
    private static final class Progress extends SparkListener {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private final AtomicInteger submitted = new AtomicInteger(), finished = new AtomicInteger();
        private int lastTenth = -1;
        private boolean shown;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted stage) {
            submitted.addAndGet(stage.stageInfo().numTasks());
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
            int done = finished.incrementAndGet(), all = Math.max(done, submitted.get());
            int tenth = 10 * done / all;
            if (terminal) {
                err.printf("\rfdht score: %d/%d tasks", done, all);
                err.flush();
                shown = true;
            } else if (tenth != lastTenth) {
                err.printf("fdht score: %d/%d tasks%n", done, all);
                err.flush();
                lastTenth = tenth;
            }
        }

        synchronized void done() {
            if (shown) err.println();
            shown = false;
        }
    }
}
