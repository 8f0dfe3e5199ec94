import java.lang.foreign.*;
import java.nio.*;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.*;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
public class PageRead {
    public static void main(String[] a) throws Exception {
        for (int round = 0; round < 4; round++) {
            long t0 = System.nanoTime(), bytes = 0, values = 0;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(16 * 131072, 64);
                for (java.io.File f : new java.io.File(a[0]).listFiles()) {
                    if (!f.getName().endsWith(".parquet")) continue;
                    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toURI()), new Configuration()))) {
                        MessageType schema = r.getFooter().getFileMetaData().getSchema();
                        ColumnDescriptor col = schema.getColumnDescription(new String[]{"features"});
                        r.setRequestedSchema(new MessageType("x", schema.getType("features")));
                        PageReadStore rg;
                        while ((rg = r.readNextRowGroup()) != null) {
                            PageReader pr = rg.getPageReader(col);
                            DataPage p;
                            while ((p = pr.readPage()) != null) {
                                ByteBuffer b = ((DataPageV1) p).getBytes().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                                int pos = b.position();
                                if (col.getMaxDefinitionLevel() > 0) { int len = b.getInt(pos); pos += 4 + len; }
                                for (int v = 0; v < p.getValueCount(); v++) {
                                    int len = b.getInt(pos); pos += 4;
                                    MemorySegment.copy(MemorySegment.ofBuffer(b.duplicate().position(pos).limit(pos + len)), 0, dst, (values % 16) * 131072, len);
                                    pos += len; bytes += len; values++;
                                }
                            }
                        }
                    }
                }
            }
            System.out.printf("%d values, %.2f GB in %.3f s%n", values, bytes / 1e9, (System.nanoTime() - t0) / 1e9);
        }
    }
}
