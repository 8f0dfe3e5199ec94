import org.apache.spark.sql.*;
import org.apache.spark.sql.execution.*;
import org.apache.spark.sql.vectorized.*;
import org.apache.spark.sql.execution.vectorized.*;
import java.lang.foreign.*;
public class ColExp {
    public static void main(String[] a) throws Exception {
        String dir = a[0]; int rounds = Integer.parseInt(a[1]);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("col")
            .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false")
            .config("spark.sql.parquet.columnarReaderBatchSize", "32").getOrCreate();
        for (int r = 0; r < rounds; r++) {
            StringBuilder s = new StringBuilder("round " + r + ":");
            for (String f : new String[]{"clips-binary-none.parquet", "clips-binary.parquet"}) {
                for (String off : new String[]{"false", "true"}) {
                    spark.conf().set("spark.sql.columnVector.offheap.enabled", off);
                    Dataset<Row> in = spark.read().parquet(dir + "/" + f).select("id", "features");
                    long t0 = System.nanoTime();
                    in.write().format("noop").mode("overwrite").save();
                    long t1 = System.nanoTime();
                    SparkPlan plan = ((org.apache.spark.sql.classic.Dataset<Row>) in).queryExecution().executedPlan();
                    SparkPlan scan = plan;
                    while (!(scan instanceof FileSourceScanExec)) scan = scan.children().apply(0);
                    long sum = scan.executeColumnar().toJavaRDD().mapPartitions(it -> {
                        long n = 0;
                        try (Arena arena = Arena.ofConfined()) {
                            MemorySegment dst = arena.allocate(32L * 131072, 64);
                            while (it.hasNext()) {
                                ColumnarBatch b = it.next();
                                ColumnVector v = b.column(1);
                                for (int i = 0; i < b.numRows(); i++) {
                                    if (v instanceof OffHeapColumnVector o) {
                                        WritableColumnVector data = o.arrayData();
                                        long addr = ((OffHeapColumnVector) data).valuesNativeAddress() + o.getArrayOffset(i);
                                        int len = o.getArrayLength(i);
                                        MemorySegment.copy(MemorySegment.ofAddress(addr).reinterpret(len), 0, dst, (long) i * 131072, len);
                                        n += len;
                                    } else {
                                        byte[] bytes = v.getBinary(i);
                                        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, dst, (long) i * 131072, bytes.length);
                                        n += bytes.length;
                                    }
                                }
                            }
                        }
                        return java.util.List.of(n).iterator();
                    }).reduce(Long::sum);
                    long t2 = System.nanoTime();
                    s.append(String.format(" [%s offheap %s: rows %.2f columnar %.2f (%d MB)]", f.replace("clips-binary", "b").replace(".parquet", ""), off, (t1 - t0) / 1e9, (t2 - t1) / 1e9, sum >> 20));
                }
            }
            System.out.println(s);
        }
        spark.stop();
    }
}
