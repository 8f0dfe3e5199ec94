package fdht.train.data;

import fdht.layout.io.ModelFileException;
import fdht.layout.io.NpyFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled clips from two {@code .npy} files, as {@code fdht data} writes them: clips {@code [N, T,
 * F]} float32 and labels {@code [N]} int64. Both are memory-mapped (the clips are never read whole,
 * so a file larger than memory works); opening checks the shapes agree and every label is in {@code
 * [0, 2^31)}, and {@link #classes()} is the largest label plus one. Filling a batch copies its
 * clips and rejects a non-finite value naming the clip, frame and index. Every problem is a {@link
 * ModelFileException} naming the file at fault.
 *
 * <p>Cost: opening reads the labels once; a batch is one copy. Thread safety: immutable while its
 * arena is open; {@code fill} may run on several threads (the arena must then be shared).
 */
public final class NpyClips implements LabelledClips {
    private final Path clipsPath;
    private final MemorySegment clips;
    private final int[] labels;
    private final int frames, frameSize, classes;

    private NpyClips(
            Path clipsPath,
            MemorySegment clips,
            int[] labels,
            int frames,
            int frameSize,
            int classes) {
        this.clipsPath = clipsPath;
        this.clips = clips;
        this.labels = labels;
        this.frames = frames;
        this.frameSize = frameSize;
        this.classes = classes;
    }

    /** Maps both files into {@code arena} and checks them against each other. */
    public static NpyClips open(Path clipsPath, Path labelsPath, Arena arena) {
        NpyFile.Array c = NpyFile.read(clipsPath, arena);
        long[] s = c.shape();
        if (s.length != 3)
            throw new ModelFileException(
                    clipsPath, null, "clips have shape " + Arrays.toString(s) + ", not [N, T, F]");
        if (s[0] < 1 || s[1] < 1 || s[2] < 1)
            throw new ModelFileException(
                    clipsPath,
                    null,
                    "clips have shape " + Arrays.toString(s) + ": no clip, frame or input");
        if (s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE || s[2] > Integer.MAX_VALUE) {
            throw new ModelFileException(
                    clipsPath,
                    null,
                    "clips have shape " + Arrays.toString(s) + ": a dimension exceeds 2^31 - 1");
        }
        NpyFile.Array l = NpyFile.readInt64(labelsPath, arena);
        if (l.shape().length != 1)
            throw new ModelFileException(
                    labelsPath,
                    null,
                    "labels have shape " + Arrays.toString(l.shape()) + ", not [N]");
        if (l.shape()[0] != s[0]) {
            throw new ModelFileException(
                    labelsPath,
                    null,
                    l.shape()[0] + " labels for " + s[0] + " clips in " + clipsPath.getFileName());
        }
        int[] labels = new int[(int) s[0]];
        int max = 0;
        for (int i = 0; i < labels.length; i++) {
            long v = l.data().getAtIndex(ValueLayout.JAVA_LONG, i);
            if (v < 0 || v > Integer.MAX_VALUE - 1)
                throw new ModelFileException(
                        labelsPath, null, "label " + v + " of clip " + i + " is not a class index");
            labels[i] = (int) v;
            max = Math.max(max, labels[i]);
        }
        return new NpyClips(clipsPath, c.data(), labels, (int) s[1], (int) s[2], max + 1);
    }

    @Override
    public long count() {
        return labels.length;
    }

    @Override
    public int frames() {
        return frames;
    }

    @Override
    public int frameSize() {
        return frameSize;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public void fill(long first, int n, MemorySegment out, int[] outLabels) {
        checkFill(first, n, out, outLabels);
        long floats = n * clipFloats();
        MemorySegment.copy(clips, first * clipFloats() * Float.BYTES, out, 0, floats * Float.BYTES);
        for (long e = 0; e < floats; e++) {
            float v = out.getAtIndex(ValueLayout.JAVA_FLOAT, e);
            if (!Float.isFinite(v)) {
                long clip = first + e / clipFloats(), frame = e % clipFloats() / frameSize;
                throw new ModelFileException(
                        clipsPath,
                        null,
                        "non-finite value "
                                + v
                                + " in clip "
                                + clip
                                + ", frame "
                                + frame
                                + ", index "
                                + e % frameSize);
            }
        }
        if (outLabels != null) System.arraycopy(labels, (int) first, outLabels, 0, n);
    }

    @Override
    public String toString() {
        return clipsPath + " (" + labels.length + " clips of " + frames + " x " + frameSize + ")";
    }
}
