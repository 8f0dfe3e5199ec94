package fdht.spark;

import fdht.kernels.Kernels;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The task of {@link FdhtScorer#scoreNpy}: scores one partition of {@code .npy} file paths and
 * yields a row {@code (file, clip, logits, label, hidden, error)} per clip. Each file is
 * memory-mapped in an arena of its own, closed when the file is done, and its clips ({@code [T,
 * N]}: one, {@code [B, T, N]}: B) run straight from the mapping, {@code batch} at a time; a clip
 * holding NaN or infinity is split out of its batch. A file that is not a float32 {@code .npy} of
 * that shape gives one row with a null {@code clip} and the reason, or fails the job, by {@link
 * BadRows}.
 *
 * <p>Serializable (Spark ships it to executors); each call of {@link #call} is independent.
 */
final class NpyScoring implements FlatMapFunction<Iterator<String>, InternalRow>, Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelRef model;
    private final int batch;
    private final boolean hidden;
    private final BadRows badRows;

    NpyScoring(ModelRef model, int batch, boolean hidden, BadRows badRows) {
        this.model = model;
        this.batch = batch;
        this.hidden = hidden;
        this.badRows = badRows;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<String> files) {
        return new Scored(files);
    }

    private final class Scored implements Iterator<InternalRow> {
        private final Iterator<String> files;
        private final List<InternalRow> ready = new ArrayList<>();
        private PartitionScorer scorer;
        private int emitted;

        Scored(Iterator<String> files) {
            this.files = files;
        }

        @Override
        public boolean hasNext() {
            while (emitted == ready.size()) {
                ready.clear();
                emitted = 0;
                if (!files.hasNext()) {
                    if (scorer != null) scorer.close();
                    return false;
                }
                scoreFile(files.next());
            }
            return true;
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) throw new NoSuchElementException();
            return ready.get(emitted++);
        }

        private void scoreFile(String file) {
            UTF8String name = UTF8String.fromString(file);
            try (Arena mapping = Arena.ofConfined()) {
                PartitionScorer s = scorer();
                NpyFile.Array clip;
                long[] shape;
                try {
                    clip = NpyFile.read(Path.of(file), mapping);
                    shape = clip.shape();
                    if (shape.length != 2 && shape.length != 3)
                        throw new ModelFileException(
                                Path.of(file),
                                null,
                                "shape "
                                        + Arrays.toString(shape)
                                        + " is neither [T, N] nor [B, T, N]");
                    long width = shape[shape.length - 1];
                    if (width != s.inputSize())
                        throw new ModelFileException(
                                Path.of(file),
                                null,
                                "frames are "
                                        + width
                                        + " wide but the model takes N_x = "
                                        + s.inputSize());
                    if (clip.elements() == 0)
                        throw new ModelFileException(
                                Path.of(file),
                                null,
                                "shape " + Arrays.toString(shape) + " holds no frame");
                } catch (ModelFileException e) {
                    if (badRows == BadRows.FAIL) throw e;
                    ready.add(row(name, null, ClipScore.failed(e.getMessage())));
                    return;
                }
                int clips = shape.length == 3 ? Math.toIntExact(shape[0]) : 1;
                int frames = Math.toIntExact(shape[shape.length - 2]);
                long clipFloats = (long) frames * s.inputSize();
                ClipScore[] out = new ClipScore[clips];
                Kernels k = s.kernels();
                int runStart = 0;
                for (int c = 0; c <= clips; c++) {
                    String bad =
                            c < clips
                                    ? nonFinite(
                                            clip.data(),
                                            c * clipFloats,
                                            clipFloats,
                                            s.inputSize(),
                                            k)
                                    : null;
                    if (c < clips && bad == null) continue;
                    // clips [runStart, c) are good: run them straight from the mapping
                    for (int from = runStart; from < c; from += batch) {
                        s.run(
                                clip.data(),
                                from * clipFloats,
                                Math.min(batch, c - from),
                                frames,
                                out,
                                from);
                    }
                    if (bad != null) {
                        if (badRows == BadRows.FAIL)
                            throw new IllegalArgumentException(
                                    "fdht: cannot score clip " + c + " of " + file + ": " + bad);
                        out[c] = ClipScore.failed(bad);
                    }
                    runStart = c + 1;
                }
                for (int c = 0; c < clips; c++) ready.add(row(name, c, out[c]));
            }
        }

        private PartitionScorer scorer() {
            if (scorer == null)
                scorer = PartitionScorer.forTask(ExecutorModels.get(model), batch, hidden);
            return scorer;
        }
    }

    /** Null, or where the first non-finite value of the clip is. */
    private static String nonFinite(
            MemorySegment data, long at, long floats, int width, Kernels k) {
        for (long done = 0; done < floats; done += Integer.MAX_VALUE / 2) {
            int len = (int) Math.min(floats - done, Integer.MAX_VALUE / 2);
            int bad = k.firstNonFinite(data, at + done, len);
            if (bad >= 0) {
                long e = done + bad;
                return "non-finite value "
                        + data.getAtIndex(ValueLayout.JAVA_FLOAT, at + e)
                        + " at frame "
                        + e / width
                        + ", index "
                        + e % width;
            }
        }
        return null;
    }

    private static InternalRow row(UTF8String file, Integer clip, ClipScore s) {
        Object[] v = new Object[6];
        v[0] = file;
        v[1] = clip;
        if (s.error() == null) {
            v[2] = s.logits() == null ? null : UnsafeArrayData.fromPrimitiveArray(s.logits());
            v[3] = s.logits() == null ? null : s.label();
            v[4] = s.hidden() == null ? null : UnsafeArrayData.fromPrimitiveArray(s.hidden());
        } else {
            v[5] = UTF8String.fromString(s.error());
        }
        return new GenericInternalRow(v);
    }
}
