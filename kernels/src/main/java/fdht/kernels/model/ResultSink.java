package fdht.kernels.model;

import java.lang.foreign.MemorySegment;

/**
 * Receives {@link Model#score}'s outputs a chunk at a time, in input order: clips {@code first ..
 * first+count-1}, one call at a time (never concurrently), from whichever scoring thread ran the
 * chunk. The chunks wait their turn in a window as wide as the threads, so a slow sink slows the
 * scoring rather than piling up results.
 *
 * <p>The segments are the scoring thread's own buffers, valid only during the call (copy what must
 * outlive it): {@code logits} {@code [count][C]} floats, or null when logits were not asked for;
 * {@code hidden} {@code [count][T][D*H]} floats, or null. An exception thrown here fails the
 * scoring with it.
 */
@FunctionalInterface
public interface ResultSink {
    /**
     * Takes one chunk's outputs.
     *
     * @param first the chunk's first clip, its index in the input
     * @param count clips in the chunk
     * @param logits {@code [count][C]} floats, or null
     * @param hidden {@code [count][T][D*H]} floats, or null
     */
    void accept(long first, int count, MemorySegment logits, MemorySegment hidden);
}
