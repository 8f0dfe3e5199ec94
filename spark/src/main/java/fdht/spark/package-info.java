/**
 * fdht on Apache Spark: {@link fdht.spark.FdhtScorer} scores clips of a Parquet data set (a column
 * of {@code binary} little-endian float32, {@code array<float>} or {@code array<array<float>>}) or
 * of a directory of {@code .npy} files with any model the model API loads, and {@link
 * fdht.spark.ScoreCommand} is {@code fdht score}. Each executor JVM loads a model once ({@link
 * fdht.spark.ExecutorModels}, keyed by {@link fdht.spark.ModelRef}); each partition scores its
 * clips in chunks through a {@link fdht.kernels.model.Predictor} of its own. Spark is a {@code
 * provided} dependency; on the class path, as Spark's jars are not modules.
 *
 * <p>May import: {@code fdht.kernels.model}, {@code fdht.kernels.lstm} (the non-finite policy),
 * {@code fdht.kernels} (the non-finite check), {@code fdht.layout} and {@code fdht.layout.io},
 * Spark, picocli. Nothing in the library imports this package.
 */
package fdht.spark;
