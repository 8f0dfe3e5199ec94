import java.lang.foreign.*;
import java.nio.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.format.*;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.*;
import org.apache.parquet.hadoop.util.HadoopInputFile;
public class MapRead {
    public static void main(String[] a) throws Exception {
        for (int round = 0; round < 4; round++) {
            long t0 = System.nanoTime(), bytes = 0, values = 0;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(32 * 131072, 64);
                for (java.io.File f : new java.io.File(a[0]).listFiles()) {
                    if (!f.getName().endsWith(".parquet")) continue;
                    ParquetMetadata footer;
                    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toURI()), new Configuration()))) { footer = r.getFooter(); }
                    try (FileChannel ch = FileChannel.open(f.toPath())) {
                        MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                        for (BlockMetaData rg : footer.getBlocks()) {
                            ColumnChunkMetaData c = rg.getColumns().stream().filter(x -> x.getPath().toDotString().equals("features")).findFirst().get();
                            long pos = c.getStartingPos(), end = pos + c.getTotalSize();
                            while (pos < end) {
                                ByteBuffer hb = file.asSlice(pos, Math.min(end - pos, 1 << 16)).asByteBuffer();
                                PageHeader h = Util.readPageHeader(new java.io.InputStream() {
                                    public int read() { return hb.hasRemaining() ? hb.get() & 0xff : -1; }
                                    public int read(byte[] b, int o, int n) { if (!hb.hasRemaining()) return -1; n = Math.min(n, hb.remaining()); hb.get(b, o, n); return n; }
                                });
                                long body = pos + hb.position();
                                if (h.getType() == PageType.DATA_PAGE) {
                                    long p = body; int n = h.getData_page_header().getNum_values();
                                    for (int v = 0; v < n; v++) {
                                        int len = file.get(ValueLayout.JAVA_INT_UNALIGNED, p); p += 4;
                                        MemorySegment.copy(file, p, dst, (values % 32) * 131072, len);
                                        p += len; bytes += len; values++;
                                    }
                                }
                                pos = body + h.getCompressed_page_size();
                            }
                        }
                    }
                }
            }
            System.out.printf("%d values, %.2f GB in %.3f s%n", values, bytes / 1e9, (System.nanoTime() - t0) / 1e9);
        }
    }
}
