import org.apache.spark.sql.*;
import java.nio.file.*;
public class Scan {
  public static void main(String[] a) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled","false").config("spark.driver.bindAddress","127.0.0.1").config("spark.driver.host","127.0.0.1").getOrCreate();
    String pq = Path.of(a[0]).resolve("clips-binary-none.parquet").toString();
    String[][] sels = {{"id"}, {"id", "_metadata.row_index"}, {"id", "_metadata.file_path"}, {"_metadata.file_path", "_metadata.row_index"}, {"id", "_metadata.file_path", "_metadata.row_index"}};
    for (int r = 0; r < 5; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      for (String[] s : sels) {
        Column[] c = new Column[s.length]; for (int i = 0; i < s.length; i++) c[i] = functions.col(s[i]);
        long t0 = System.nanoTime();
        spark.read().parquet(pq).select(c).write().format("noop").mode("overwrite").save();
        line.append(String.format(" %s %.3f;", String.join("+", s), (System.nanoTime()-t0)/1e9));
      }
      System.out.println(line);
    }
    spark.stop();
  }
}
