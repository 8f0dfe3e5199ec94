package fdht.spark;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.xerial.snappy.Snappy;

/**
 * Reads the {@code binary} clip column of local Parquet files straight from the memory-mapped file,
 * for {@link FdhtScorer#scoreParquet}: Spark then reads only the other columns, and each clip's
 * bytes go once from the page cache into the scorer's buffer, where Spark's reader decodes them
 * into a column batch and copies them into a row first (docs/PERFORMANCE.md, section "Spark"). It
 * reads what parquet-mr (Spark) and pyarrow write for such a column when it has no dictionary:
 * PLAIN values, uncompressed or Snappy pages, data pages V1 and V2, a required or an optional
 * column. {@link #unreadable} says, from the footers, before any task runs, whether a file is one
 * of those; a page that is not (or that is damaged) is an {@link IllegalStateException} naming the
 * file and the row.
 *
 * <p>Rows are asked for by file and row index, as Spark's {@code _metadata} columns give them. A
 * task asks in increasing order within a file, so a cursor walks each column chunk's pages once (a
 * row behind the cursor restarts its row group's walk). Not thread-safe: one per task, closed by
 * it.
 */
final class MappedParquetClips implements AutoCloseable {
    private static final ValueLayout.OfInt LENGTH =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Set<Encoding> READABLE =
            EnumSet.of(
                    Encoding.PLAIN,
                    Encoding.RLE,
                    Encoding.BIT_PACKED,
                    Encoding.PLAIN_DICTIONARY,
                    Encoding.RLE_DICTIONARY);

    private final String column;

    // the open file
    private String uri;
    private Path file;
    private Arena fileArena;
    private MemorySegment map;
    private Chunk[] chunks;
    private boolean optional;

    // the cursor: the row group, the next page header, the current page and the next row in it
    private int group = -1;
    private long pagePos;
    private long pageFirstRow;
    private int pageRows;
    private byte[] defined = new byte[64];
    private MemorySegment values;
    private long valuePos;
    private long nextRow;
    // the row group's dictionary, when it has one, and the current page's indices into it
    private MemorySegment dictionary;
    private long[] entryAt = new long[0];
    private int entries;
    private boolean dictionaryPage; // the current page's values are dictionary indices
    private int[] index = new int[64]; // of each row's value, in a dictionary page

    // Snappy pages are decompressed here (a clip handed out lies in it until the next page), and
    // dictionary pages there (for the row group)
    private final Arena bufferArena = Arena.ofConfined();
    private MemorySegment buffer = MemorySegment.NULL;
    private MemorySegment dictionaryBuffer = MemorySegment.NULL;

    /** One row group's column chunk. */
    private record Chunk(long firstRow, long rows, long start, long end, boolean snappy) {}

    /** A reader of {@code column} (a top-level {@code binary} column) of any file it is given. */
    MappedParquetClips(String column) {
        this.column = column;
    }

    /**
     * Null when this reader can read {@code column} of the Parquet file {@code file}, else why not
     * (the reason, for the user; Spark's reader then reads the input).
     */
    static String unreadable(Path file, String column) {
        ParquetMetadata footer;
        try {
            footer = footer(file);
        } catch (IOException | RuntimeException e) {
            return file + ": its footer cannot be read (" + e.getMessage() + ")";
        }
        String why = unreadableColumn(footer.getFileMetaData().getSchema(), column);
        if (why != null) return file + ": " + why;
        for (BlockMetaData rg : footer.getBlocks()) {
            ColumnChunkMetaData c = chunk(rg, column);
            if (c.getCodec() != CompressionCodecName.UNCOMPRESSED
                    && c.getCodec() != CompressionCodecName.SNAPPY)
                return file + ": column '" + column + "' is compressed with " + c.getCodec();
            if (!READABLE.containsAll(c.getEncodings()))
                return file + ": column '" + column + "' has encodings " + c.getEncodings();
        }
        return null;
    }

    private static String unreadableColumn(MessageType schema, String column) {
        if (!schema.containsField(column)) return "no column '" + column + "'";
        Type t = schema.getType(column);
        if (!t.isPrimitive()
                || t.asPrimitiveType().getPrimitiveTypeName()
                        != PrimitiveType.PrimitiveTypeName.BINARY)
            return "column '" + column + "' is " + t + ", not binary";
        if (t.isRepetition(Type.Repetition.REPEATED)) return "column '" + column + "' is repeated";
        return null;
    }

    private static ParquetMetadata footer(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
            return r.getFooter();
        }
    }

    private static ColumnChunkMetaData chunk(BlockMetaData rg, String column) {
        for (ColumnChunkMetaData c : rg.getColumns())
            if (c.getPath().size() == 1 && c.getPath().toArray()[0].equals(column)) return c;
        throw new IllegalStateException("row group without column '" + column + "'");
    }

    /**
     * The bytes of row {@code row} of the file at {@code fileUri} (a {@code file:} URI, as Spark's
     * {@code _metadata.file_path}), or null when the row's value is null. The segment is valid
     * until the next call.
     */
    MemorySegment clip(String fileUri, long row) {
        if (!fileUri.equals(uri)) open(fileUri);
        try {
            return read(row);
        } catch (IOException | RuntimeException e) {
            group = -1; // the cursor is unknown now
            throw new IllegalStateException(
                    file
                            + ": cannot read row "
                            + row
                            + " of column '"
                            + column
                            + "': "
                            + e.getMessage(),
                    e);
        }
    }

    private MemorySegment read(long row) throws IOException {
        int g = groupOf(row);
        if (g != group || row < nextRow) { // a new row group, or a row behind the cursor
            if (g != group) dictionary = null;
            group = g;
            pagePos = chunks[g].start;
            pageFirstRow = chunks[g].firstRow;
            pageRows = 0;
            nextRow = pageFirstRow;
        }
        while (row >= pageFirstRow + pageRows) nextPage();
        if (dictionaryPage) {
            nextRow = row + 1;
            int r = (int) (row - pageFirstRow);
            if (defined[r] == 0) return null;
            if (index[r] < 0 || index[r] >= entries)
                throw new IllegalStateException(
                        "dictionary index " + index[r] + " of a dictionary of " + entries);
            long at = entryAt[index[r]];
            return dictionary.asSlice(at + 4, dictionary.get(LENGTH, at));
        }
        while (nextRow < row) { // skip the values before it
            if (defined[(int) (nextRow - pageFirstRow)] != 0) valuePos += 4 + length();
            nextRow++;
        }
        nextRow++;
        if (defined[(int) (row - pageFirstRow)] == 0) return null;
        int len = length();
        MemorySegment clip = values.asSlice(valuePos + 4, len);
        valuePos += 4 + len;
        return clip;
    }

    /** The length of the value at the cursor, checked against its page. */
    private int length() {
        if (valuePos + 4 > values.byteSize())
            throw new IllegalStateException("a value's length lies past its page's end");
        int len = values.get(LENGTH, valuePos);
        if (len < 0 || valuePos + 4 + len > values.byteSize())
            throw new IllegalStateException("a value of " + len + " bytes runs past its page");
        return len;
    }

    private int groupOf(long row) {
        int lo = 0, hi = chunks.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (chunks[mid].firstRow <= row) lo = mid;
            else hi = mid - 1;
        }
        if (row < 0 || chunks.length == 0 || row >= chunks[lo].firstRow + chunks[lo].rows)
            throw new IllegalStateException("the file has no row " + row);
        return lo;
    }

    /** Moves the cursor to the chunk's next data page. */
    private void nextPage() throws IOException {
        Chunk c = chunks[group];
        pageFirstRow += pageRows;
        pageRows = 0;
        if (pagePos >= c.end)
            throw new IllegalStateException(
                    "the column chunk ends at row "
                            + pageFirstRow
                            + " of its row group's "
                            + c.rows);
        SegmentInput in = new SegmentInput(map, pagePos, c.end);
        PageHeader h = Util.readPageHeader(in);
        long body = in.position();
        long size = h.getCompressed_page_size();
        if (size < 0 || body + size > c.end)
            throw new IllegalStateException("a page of " + size + " bytes runs past its chunk");
        pagePos = body + size;
        int rows;
        long levelsAt, levelsBytes;
        MemorySegment page;
        switch (h.getType()) {
            case DATA_PAGE -> {
                DataPageHeader d = h.getData_page_header();
                dictionaryPage = isDictionaryEncoded(d.getEncoding());
                rows = d.getNum_values();
                page =
                        c.snappy
                                ? decompress(map.asSlice(body, size), h.getUncompressed_page_size())
                                : map.asSlice(body, size);
                // an optional column's levels: their length in 4 bytes, then the levels
                levelsAt = optional ? 4 : 0;
                levelsBytes = optional ? page.get(LENGTH, 0) : 0;
                if (levelsBytes < 0 || levelsAt + levelsBytes > page.byteSize())
                    throw new IllegalStateException("definition levels run past their page");
                values = page.asSlice(levelsAt + levelsBytes);
            }
            case DATA_PAGE_V2 -> {
                DataPageHeaderV2 d = h.getData_page_header_v2();
                dictionaryPage = isDictionaryEncoded(d.getEncoding());
                rows = d.getNum_rows();
                long repeats = d.getRepetition_levels_byte_length();
                levelsBytes = d.getDefinition_levels_byte_length();
                if (repeats != 0 || d.getNum_values() != rows)
                    throw new IllegalStateException("a V2 page has repetition levels");
                levelsAt = 0;
                long valuesAt = levelsBytes;
                if (levelsBytes < 0 || valuesAt > size)
                    throw new IllegalStateException("definition levels run past their page");
                page = map.asSlice(body, size);
                values =
                        c.snappy && d.isIs_compressed()
                                ? decompress(
                                        page.asSlice(valuesAt),
                                        h.getUncompressed_page_size() - levelsBytes)
                                : page.asSlice(valuesAt);
            }
            case DICTIONARY_PAGE -> {
                readDictionary(h, map.asSlice(body, size), c.snappy);
                return;
            }
            default -> {
                return; // an index page: no rows
            }
        }
        if (rows < 0) throw new IllegalStateException("a page of " + rows + " rows");
        if (defined.length < rows) defined = new byte[Math.max(rows, 2 * defined.length)];
        if (optional && levelsBytes > 0) {
            RunLengthBitPackingHybridDecoder levels =
                    new RunLengthBitPackingHybridDecoder(
                            1, new SegmentInput(page, levelsAt, levelsAt + levelsBytes));
            for (int r = 0; r < rows; r++) defined[r] = (byte) levels.readInt();
        } else {
            if (optional && rows > 0)
                throw new IllegalStateException("an optional column's page has no levels");
            Arrays.fill(defined, 0, rows, (byte) 1);
        }
        if (dictionaryPage) readIndices(rows);
        pageRows = rows;
        valuePos = 0;
        nextRow = pageFirstRow;
    }

    /** Whether a data page's values are dictionary indices (else PLAIN, or refused). */
    private static boolean isDictionaryEncoded(org.apache.parquet.format.Encoding e) {
        return switch (e) {
            case PLAIN -> false;
            case PLAIN_DICTIONARY, RLE_DICTIONARY -> true;
            default -> throw new IllegalStateException("a page encoded " + e);
        };
    }

    /** The row group's dictionary: PLAIN values, where each lies. */
    private void readDictionary(PageHeader h, MemorySegment page, boolean snappy)
            throws IOException {
        int n = h.getDictionary_page_header().getNum_values();
        if (n < 0) throw new IllegalStateException("a dictionary of " + n + " values");
        long bytes = snappy ? h.getUncompressed_page_size() : page.byteSize();
        if (dictionaryBuffer.byteSize() < bytes)
            dictionaryBuffer =
                    bufferArena.allocate(Math.max(bytes, 2 * dictionaryBuffer.byteSize()), 64);
        MemorySegment d = dictionaryBuffer.asSlice(0, bytes);
        if (snappy) decompress(page, d);
        else MemorySegment.copy(page, 0, d, 0, bytes);
        if (entryAt.length < n) entryAt = new long[Math.max(n, 2 * entryAt.length)];
        long at = 0;
        for (int e = 0; e < n; e++) {
            if (at + 4 > bytes)
                throw new IllegalStateException("a dictionary entry runs past its page");
            int len = d.get(LENGTH, at);
            if (len < 0 || at + 4 + len > bytes)
                throw new IllegalStateException(
                        "a dictionary entry of " + len + " bytes runs past its page");
            entryAt[e] = at;
            at += 4 + len;
        }
        entries = n;
        dictionary = d;
    }

    /** The dictionary index of each defined row of the page: a bit width, then RLE/bit-packed. */
    private void readIndices(int rows) throws IOException {
        if (dictionary == null)
            throw new IllegalStateException("a dictionary-encoded page without a dictionary");
        if (index.length < rows) index = new int[Math.max(rows, 2 * index.length)];
        if (values.byteSize() < 1)
            throw new IllegalStateException("a dictionary-encoded page without indices");
        int width = values.get(ValueLayout.JAVA_BYTE, 0);
        if (width < 0 || width > 32)
            throw new IllegalStateException("dictionary indices of " + width + " bits");
        RunLengthBitPackingHybridDecoder indices =
                new RunLengthBitPackingHybridDecoder(
                        width, new SegmentInput(values, 1, values.byteSize()));
        for (int r = 0; r < rows; r++) index[r] = defined[r] != 0 ? indices.readInt() : -1;
    }

    /** The Snappy page {@code compressed}, of {@code bytes} bytes decompressed, in the buffer. */
    private MemorySegment decompress(MemorySegment compressed, long bytes) throws IOException {
        if (bytes < 0) throw new IllegalStateException("a page of " + bytes + " bytes");
        if (buffer.byteSize() < bytes)
            buffer = bufferArena.allocate(Math.max(bytes, 2 * buffer.byteSize()), 64);
        decompress(compressed, buffer.asSlice(0, bytes));
        return buffer.asSlice(0, bytes);
    }

    private static void decompress(MemorySegment compressed, MemorySegment into)
            throws IOException {
        int n = Snappy.uncompress(compressed.asByteBuffer(), into.asByteBuffer());
        if (n != into.byteSize())
            throw new IllegalStateException(
                    "a Snappy page gave " + n + " bytes, its header says " + into.byteSize());
    }

    private void open(String fileUri) {
        closeFile();
        Path p = Path.of(URI.create(fileUri));
        ParquetMetadata footer;
        try {
            footer = footer(p);
        } catch (IOException e) {
            throw new IllegalStateException(p + ": cannot read its footer: " + e.getMessage(), e);
        }
        String why = unreadableColumn(footer.getFileMetaData().getSchema(), column);
        if (why != null) throw new IllegalStateException(p + ": " + why);
        optional = footer.getFileMetaData().getSchema().getMaxDefinitionLevel(column) > 0;
        List<BlockMetaData> groups = footer.getBlocks();
        chunks = new Chunk[groups.size()];
        long first = 0;
        for (int g = 0; g < chunks.length; g++) {
            BlockMetaData rg = groups.get(g);
            ColumnChunkMetaData c = chunk(rg, column);
            chunks[g] =
                    new Chunk(
                            first,
                            rg.getRowCount(),
                            c.getStartingPos(),
                            c.getStartingPos() + c.getTotalSize(),
                            c.getCodec() == CompressionCodecName.SNAPPY);
            first += rg.getRowCount();
        }
        fileArena = Arena.ofConfined();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), fileArena);
        } catch (IOException e) {
            fileArena.close();
            fileArena = null;
            throw new IllegalStateException(p + ": cannot map it: " + e.getMessage(), e);
        }
        for (Chunk c : chunks)
            if (c.start < 0 || c.end > map.byteSize() || c.start > c.end)
                throw new IllegalStateException(
                        p
                                + ": a column chunk lies outside the file's "
                                + map.byteSize()
                                + " bytes");
        uri = fileUri;
        file = p;
        group = -1;
        dictionary = null;
    }

    private void closeFile() {
        if (fileArena != null) fileArena.close();
        fileArena = null;
        map = null;
        uri = null;
        group = -1;
    }

    /** Unmaps the file and frees the page buffer; idempotent. On the thread that made this. */
    @Override
    public void close() {
        closeFile();
        if (bufferArena.scope().isAlive()) bufferArena.close();
    }

    /** A stream over bytes {@code [from, to)} of a segment, which says how far it has read. */
    private static final class SegmentInput extends InputStream {
        private final MemorySegment s;
        private long pos;
        private final long end;

        SegmentInput(MemorySegment s, long from, long to) {
            this.s = s;
            this.pos = from;
            this.end = Math.min(to, s.byteSize());
        }

        long position() {
            return pos;
        }

        @Override
        public int available() { // parquet-mr's level decoder asks before each run
            return (int) Math.min(Integer.MAX_VALUE, end - pos);
        }

        @Override
        public int read() {
            return pos < end ? s.get(ValueLayout.JAVA_BYTE, pos++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int n = (int) Math.min(len, end - pos);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
