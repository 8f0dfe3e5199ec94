package fdht.spark;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The task of {@link FdhtScorer#score}: scores one partition of rows {@code (kept, features)},
 * where {@code kept} is a struct of the columns passed through (or absent when there are none), and
 * yields {@code (kept, logits, label, hidden, error)} rows in the input order. With {@code mapped}
 * ({@link FdhtScorer#scoreParquet}) the rows are {@code (kept, file, row)} instead, Spark's {@code
 * _metadata.file_path} and {@code _metadata.row_index}, and each clip is read from the mapped file
 * ({@link MappedParquetClips}). Clips are copied into a batch buffer and run {@code batch} at a
 * time (clips of one length together: a change of length closes the batch early). The partition's
 * {@link PartitionScorer} is created on the first row and closed when the rows run out, or by a
 * task-completion listener when the task ends otherwise (failure, a {@code limit}).
 *
 * <p>Serializable (Spark ships it to executors); each call of {@link #call} is independent.
 */
final class RowScoring
        implements FlatMapFunction<Iterator<InternalRow>, InternalRow>, Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelRef model;
    private final FeatureLayout layout;
    private final StructType keptSchema;
    private final int keptFields;
    private final int batch;
    private final boolean hidden;
    private final BadRows badRows;
    private final boolean mapped;

    RowScoring(
            ModelRef model,
            FeatureLayout layout,
            StructType keptSchema,
            int batch,
            boolean hidden,
            BadRows badRows,
            boolean mapped) {
        if (mapped && layout.kind() != FeatureLayout.Kind.BINARY)
            throw new IllegalArgumentException("only a binary column is read from mapped files");
        this.mapped = mapped;
        this.model = model;
        this.layout = layout;
        this.keptSchema = keptSchema;
        this.keptFields = keptSchema.size();
        this.batch = batch;
        this.hidden = hidden;
        this.badRows = badRows;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
        return new Scored(rows);
    }

    /** The partition's output, a batch at a time. */
    private final class Scored implements Iterator<InternalRow> {
        private final Iterator<InternalRow> in;
        private final int partition;
        private final List<InternalRow> kept = new ArrayList<>();
        private final List<ClipScore> scores = new ArrayList<>();
        private final ClipScore[] batchScores;
        private final int[] slotOfEntry;
        private PartitionScorer scorer;
        private MappedParquetClips files;
        private long rowIndex;
        private int emitted;
        private int frames; // of the clips in the current batch
        private int filled; // clips in the current batch

        Scored(Iterator<InternalRow> in) {
            this.in = in;
            TaskContext tc = TaskContext.get();
            this.partition = tc == null ? 0 : tc.partitionId();
            this.batchScores = new ClipScore[batch];
            this.slotOfEntry = new int[4 * batch];
        }

        @Override
        public boolean hasNext() {
            if (emitted < kept.size()) return true;
            kept.clear();
            scores.clear();
            emitted = 0;
            while (in.hasNext() && kept.size() < 4 * batch && filled < batch) add(in.next());
            flush();
            if (kept.isEmpty()) { // on the task thread, where they were made
                if (scorer != null) scorer.close();
                if (files != null) files.close();
            }
            return !kept.isEmpty();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) throw new NoSuchElementException();
            int i = emitted++;
            return output(kept.get(i), scores.get(i));
        }

        private void add(InternalRow row) {
            long index = rowIndex++;
            InternalRow keep = keptFields == 0 ? null : row.getStruct(0, keptFields).copy();
            int entry = kept.size();
            kept.add(keep);
            scores.add(null);
            int clip = keptFields == 0 ? 0 : 1; // the clip's field in the row
            try {
                MemorySegment bytes =
                        mapped ? files().clip(row.getString(clip), row.getLong(clip + 1)) : null;
                int t = mapped ? layout.frames(bytes) : layout.frames(row, clip);
                if (filled > 0 && t != frames) {
                    // a clip of another length closes the batch; this row starts the next one
                    kept.remove(entry);
                    scores.remove(entry);
                    flush();
                    entry = kept.size();
                    kept.add(keep);
                    scores.add(null);
                }
                PartitionScorer s = scorer();
                long clipFloats = (long) t * layout.inputSize();
                MemorySegment dst = s.inputBuffer(batch * clipFloats);
                if (mapped) layout.copy(bytes, dst, filled * clipFloats, s.kernels());
                else layout.copy(row, clip, dst, filled * clipFloats, s.kernels());
                frames = t;
                slotOfEntry[entry] = filled++;
            } catch (FeatureLayout.BadClipException e) {
                String where =
                        "row "
                                + index
                                + " of partition "
                                + partition
                                + (keep == null
                                        ? ""
                                        : " " + keep.toSeq(keptSchema).mkString("(", ", ", ")"));
                if (badRows == BadRows.FAIL)
                    throw new IllegalArgumentException(
                            "fdht: cannot score " + where + ": " + e.getMessage(), e);
                scores.set(entry, ClipScore.failed(e.getMessage()));
            }
        }

        /** Scores the clips collected so far and files their results under their entries. */
        private void flush() {
            if (filled == 0) return;
            scorer.run(scorer.inputBuffer(0), 0, filled, frames, batchScores, 0);
            for (int e = 0; e < scores.size(); e++) {
                if (scores.get(e) == null) scores.set(e, batchScores[slotOfEntry[e]]);
            }
            filled = 0;
        }

        /** The task's reader of mapped files, closed with the task at the latest. */
        private MappedParquetClips files() {
            if (files == null) {
                MappedParquetClips f = new MappedParquetClips(layout.column());
                TaskContext tc = TaskContext.get();
                if (tc != null)
                    tc.addTaskCompletionListener((TaskCompletionListener) ctx -> f.close());
                files = f;
            }
            return files;
        }

        private PartitionScorer scorer() {
            if (scorer == null)
                scorer = PartitionScorer.forTask(ExecutorModels.get(model), batch, hidden);
            return scorer;
        }

        private InternalRow output(InternalRow keep, ClipScore s) {
            Object[] v = new Object[5];
            v[0] = keep;
            if (s.error() == null) {
                v[1] = s.logits() == null ? null : UnsafeArrayData.fromPrimitiveArray(s.logits());
                v[2] = s.logits() == null ? null : s.label();
                v[3] = s.hidden() == null ? null : UnsafeArrayData.fromPrimitiveArray(s.hidden());
            } else {
                v[4] = UTF8String.fromString(s.error());
            }
            return new GenericInternalRow(v);
        }
    }
}
