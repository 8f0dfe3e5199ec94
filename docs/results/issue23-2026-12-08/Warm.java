import org.apache.spark.sql.*;
import java.nio.file.*;
public class Warm {
  public static void main(String[] a) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled","false").config("spark.driver.bindAddress","127.0.0.1").config("spark.driver.host","127.0.0.1").getOrCreate();
    Path dir = Path.of(a[0]);
    fdht.spark.FdhtScorer scorer = fdht.spark.FdhtScorer.of(dir.resolve("model.safetensors"));
    String pq = dir.resolve("clips-binary-none.parquet").toString();
    for (int r = 0; r < 5; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      long t0 = System.nanoTime();
      scorer.scoreNpy(spark, dir.resolve("npy"), 0).write().format("noop").mode("overwrite").save();
      long t1 = System.nanoTime();
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
      scorer.scoreParquet(spark, pq, "features").write().format("noop").mode("overwrite").save();
      long t2 = System.nanoTime();
      spark.read().parquet(pq).select(functions.col("id"), functions.col("_metadata.file_path"), functions.col("_metadata.row_index")).write().format("noop").mode("overwrite").save();
      long t3 = System.nanoTime();
      spark.conf().set("spark.sql.files.maxPartitionBytes", String.valueOf(1L << 30));
      Dataset<Row> d = scorer.scoreParquet(spark, pq, "features");
      int parts = d.rdd().getNumPartitions();
      d.write().format("noop").mode("overwrite").save();
      long t4 = System.nanoTime();
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
      line.append(String.format(" npy %.2f; mapped %.2f; scan only %.2f; mapped, %d partitions %.2f", (t1-t0)/1e9, (t2-t1)/1e9, (t3-t2)/1e9, parts, (t4-t3)/1e9));
      System.out.println(line);
    }
    spark.stop();
  }
}
