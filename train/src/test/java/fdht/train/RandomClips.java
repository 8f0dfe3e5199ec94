package fdht.train;

import fdht.train.data.LabelledClips;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Clips for tests that need no data set: clip {@code i} of {@code count} is {@code frames x
 * frameSize} floats in [0, 1) hashed from (seed, i, element), its label the hash of (seed, i)
 * modulo {@code classes}. Immutable.
 */
record RandomClips(long seed, long count, int frames, int frameSize, int classes)
        implements LabelledClips {
    @Override
    public void fill(long first, int n, MemorySegment clips, int[] labels) {
        checkFill(first, n, clips, labels);
        long floats = clipFloats();
        for (int j = 0; j < n; j++) {
            long clip = first + j, key = mix(seed * 0x9E3779B97F4A7C15L + clip);
            for (long e = 0; e < floats; e++)
                clips.setAtIndex(
                        ValueLayout.JAVA_FLOAT,
                        j * floats + e,
                        (mix(key + e) >>> 40) / (float) (1 << 24));
            if (labels != null) labels[j] = (int) Long.remainderUnsigned(key, classes);
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
