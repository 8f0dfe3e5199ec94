package fdht.kernels.lstm;

import java.lang.foreign.MemorySegment;

/**
 * The one check of clip and output sizes that {@link Lstm#run} and {@link LstmStack#run} make
 * before they touch anything: a clip {@code [b][t][N_x]} and outputs {@code [b][t][width]} from a
 * float offset on. Stateless.
 */
final class ClipSizes {
    private ClipSizes() {}

    /**
     * Checks that {@code clip} holds {@code batch x frames x inputSize} floats from {@code clipOff}
     * on, with {@code frames} at least 1.
     */
    static void requireClip(
            MemorySegment clip, long clipOff, int batch, int frames, int inputSize) {
        if (frames < 1)
            throw new IllegalArgumentException("frames " + frames + " must be at least 1");
        long need = clipOff + (long) batch * frames * inputSize;
        if (clipOff < 0 || clip.byteSize() < need * Float.BYTES) {
            throw new IllegalArgumentException(
                    "clip holds "
                            + clip.byteSize() / Float.BYTES
                            + " floats but "
                            + (clipOff == 0 ? "" : "offset " + clipOff + " + ")
                            + "batch "
                            + batch
                            + " x "
                            + frames
                            + " frames x N_x "
                            + inputSize
                            + " = "
                            + need);
        }
    }

    /**
     * Checks that {@code out} (when not null) holds {@code floats} floats from {@code off} on;
     * {@code what} names it.
     */
    static void requireOutput(String what, MemorySegment out, long off, long floats) {
        if (out != null && (off < 0 || out.byteSize() < (off + floats) * Float.BYTES)) {
            throw new IllegalArgumentException(
                    what
                            + " holds "
                            + out.byteSize() / Float.BYTES
                            + " floats but needs "
                            + floats
                            + (off == 0 ? "" : " from offset " + off));
        }
    }
}
