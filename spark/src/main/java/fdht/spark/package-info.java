/**
 * Scoring clips on Apache Spark ({@link fdht.spark.FdhtScorer}, {@code fdht score}). On the class
 * path (Spark's jars are not modules); imports {@code fdht.kernels}, {@code fdht.layout} and Spark,
 * which is {@code provided}.
 */
package fdht.spark;
