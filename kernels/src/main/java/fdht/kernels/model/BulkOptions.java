package fdht.kernels.model;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * How {@link Model#score} runs and where its outputs go.
 *
 * <p><b>Threads and chunks.</b> Clips run in chunks of {@code chunk} consecutive clips, each chunk
 * through all its frames and layers before the next, chunks handed to {@code threads} threads by an
 * atomic counter (the calling thread is one of them). 0 means the model's {@link Model.Options}
 * value, and 0 there means: threads = the available processors; chunk = automatic, the largest
 * multiple of the kernels' lanes (16 at 512 bits) whose per-thread working set (one chunk's
 * workspace: every layer's state, gates and plan intermediates, the output sequences and logits)
 * fits in the L2 cache beside the weights (L2 read from {@code
 * /sys/devices/system/cpu/cpu0/cache/index2/size}, else 1 MiB assumed), at least one lane group, at
 * most the clips per thread. A larger chunk amortises the per-stage calls over more rows; one past
 * L2 sends every stage's intermediates to DRAM. Measuring it builds one workspace (a few
 * milliseconds).
 *
 * <p><b>Outputs.</b> {@code outputs} says what is computed: the logits {@code [B, C]}, the last
 * layer's output {@code [B, T, D*H]}, or both (null: the outputs that have a destination, else the
 * logits). Each goes to a {@code .npy} file ({@code logitsFile}, {@code hiddenFile}: written chunk
 * by chunk to hidden staging files beside the targets and renamed over them only when the whole run
 * succeeded, both or neither), and/or into a caller segment ({@code logitsInto}, {@code
 * hiddenInto}, written in place as chunks finish: after a failure they hold part of the result),
 * and/or to the {@link ResultSink} of {@link Model#score(ClipSource, BulkOptions, ResultSink)}.
 * Without any of these, {@link Model#score(ClipSource, BulkOptions)} keeps the logits in memory
 * ({@code B x C} floats) in its {@link BulkScores}; hidden outputs are never kept in memory unasked
 * (they are {@code T x D*H} floats a clip).
 *
 * <p>Immutable; {@link #DEFAULT} is the model's threads and chunk, logits kept in memory.
 *
 * @param threads scoring threads, 0 for the model's
 * @param chunk clips per chunk, 0 for the model's
 * @param outputs what to compute, null for what the destinations need (else logits)
 * @param logitsFile a {@code .npy} for the logits, or null
 * @param hiddenFile a {@code .npy} for the output sequences, or null
 * @param logitsInto a segment for the logits ({@code B x C} floats), or null
 * @param hiddenInto a segment for the output sequences ({@code B x T x D*H} floats), or null
 */
public record BulkOptions(
        int threads,
        int chunk,
        Outputs outputs,
        Path logitsFile,
        Path hiddenFile,
        MemorySegment logitsInto,
        MemorySegment hiddenInto) {
    /** The model's threads and chunk; logits kept in memory. */
    public static final BulkOptions DEFAULT = new BulkOptions(0, 0, null, null, null, null, null);

    /** Checks the values: counts not negative, destinations only for outputs computed. */
    public BulkOptions {
        if (threads < 0)
            throw new IllegalArgumentException(
                    "threads " + threads + ": expected at least 1, or 0 for the model's");
        if (chunk < 0)
            throw new IllegalArgumentException(
                    "chunk " + chunk + ": expected at least 1, or 0 for the model's");
        if (outputs != null) {
            if (!outputs.logits() && (logitsFile != null || logitsInto != null))
                throw new IllegalArgumentException(
                        "a logits destination is given but outputs is " + outputs);
            if (!outputs.hidden() && (hiddenFile != null || hiddenInto != null))
                throw new IllegalArgumentException(
                        "a hidden-output destination is given but outputs is " + outputs);
        }
    }

    /**
     * These options with another {@code threads}.
     *
     * @param threads scoring threads, 0 for the model's
     * @return the new options
     */
    public BulkOptions withThreads(int threads) {
        return new BulkOptions(
                threads, chunk, outputs, logitsFile, hiddenFile, logitsInto, hiddenInto);
    }

    /**
     * These options with another {@code chunk}.
     *
     * @param chunk clips per chunk, 0 for the model's
     * @return the new options
     */
    public BulkOptions withChunk(int chunk) {
        return new BulkOptions(
                threads, chunk, outputs, logitsFile, hiddenFile, logitsInto, hiddenInto);
    }

    /**
     * These options with another {@code outputs}.
     *
     * @param outputs what to compute, null for what the destinations need
     * @return the new options
     */
    public BulkOptions withOutputs(Outputs outputs) {
        return new BulkOptions(
                threads, chunk, outputs, logitsFile, hiddenFile, logitsInto, hiddenInto);
    }

    /**
     * These options with another {@code logitsFile}.
     *
     * @param file the {@code .npy} to write the logits to, or null
     * @return the new options
     */
    public BulkOptions withLogitsFile(Path file) {
        return new BulkOptions(threads, chunk, outputs, file, hiddenFile, logitsInto, hiddenInto);
    }

    /**
     * These options with another {@code hiddenFile}.
     *
     * @param file the {@code .npy} to write the output sequences to, or null
     * @return the new options
     */
    public BulkOptions withHiddenFile(Path file) {
        return new BulkOptions(threads, chunk, outputs, logitsFile, file, logitsInto, hiddenInto);
    }

    /**
     * These options with another {@code logitsInto}.
     *
     * @param out the segment for the logits ({@code B x C} floats), or null
     * @return the new options
     */
    public BulkOptions withLogitsInto(MemorySegment out) {
        return new BulkOptions(threads, chunk, outputs, logitsFile, hiddenFile, out, hiddenInto);
    }

    /**
     * These options with another {@code hiddenInto}.
     *
     * @param out the segment for the output sequences ({@code B x T x D*H} floats), or null
     * @return the new options
     */
    public BulkOptions withHiddenInto(MemorySegment out) {
        return new BulkOptions(threads, chunk, outputs, logitsFile, hiddenFile, logitsInto, out);
    }

    /** What is computed: {@link #outputs} when given, else what the destinations need. */
    Outputs resolvedOutputs() {
        if (outputs != null) return outputs;
        boolean l = logitsFile != null || logitsInto != null,
                h = hiddenFile != null || hiddenInto != null;
        return h && l ? Outputs.BOTH : h ? Outputs.HIDDEN : Outputs.LOGITS;
    }
}
