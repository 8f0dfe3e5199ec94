package fdht.kernels.model;

import fdht.kernels.lstm.LstmStack;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The automatic chunk of {@link BulkOptions}: the largest multiple of the kernels' lanes whose
 * working set per thread fits in L2 beside the weights. The working set of a chunk of {@code n}
 * clips is measured, not modelled: the bytes a stack workspace for one lane group of clips
 * allocates (every layer's state, gates and plan intermediates, the output sequences), scaled to
 * {@code n}, plus the chunk's logits and, when kept, its copy of the output sequences. The input
 * frames are not counted: each is read once per step and streams through. Stateless.
 */
final class ChunkSize {
    /** What L2 is taken to be when the system does not say. */
    static final long ASSUMED_L2 = 1L << 20;

    private static final long L2 =
            l2Bytes(Path.of("/sys/devices/system/cpu/cpu0/cache/index2"), ASSUMED_L2);

    private ChunkSize() {}

    /** The L2 cache in bytes, as this machine reports it (or {@link #ASSUMED_L2}). */
    static long l2Bytes() {
        return L2;
    }

    /**
     * The size of the level-2 cache described in {@code dir} ({@code size} such as "1280K" or "2M",
     * {@code level} 2), else {@code fallback}.
     */
    static long l2Bytes(Path dir, long fallback) {
        try {
            Path level = dir.resolve("level");
            if (Files.exists(level) && !Files.readString(level).strip().equals("2"))
                return fallback;
            String s = Files.readString(dir.resolve("size")).strip().toUpperCase(Locale.ROOT);
            long unit = 1;
            if (s.endsWith("K")) unit = 1L << 10;
            else if (s.endsWith("M")) unit = 1L << 20;
            else if (s.endsWith("G")) unit = 1L << 30;
            String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
            long v = Long.parseLong(digits.strip()) * unit;
            return v > 0 ? v : fallback;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return fallback;
        }
    }

    /** Bytes a chunk of {@code clips} clips of {@code frames} frames keeps hot per thread. */
    static long workingSet(LstmStack stack, int clips, int frames, boolean hidden) {
        int lanes = lanes(stack);
        long workspace;
        try (CountingArena arena = new CountingArena()) {
            stack.newWorkspace(lanes, frames, arena);
            workspace = arena.bytes;
        }
        long perClip =
                Math.ceilDiv(workspace, lanes)
                        + (long) stack.headClasses() * Float.BYTES
                        + (hidden ? (long) frames * stack.outputSize() * Float.BYTES : 0);
        return perClip * clips;
    }

    /**
     * The automatic chunk: a multiple of the lanes whose {@link #workingSet} fits in {@code l2}
     * less the weights, at least one lane group, at most {@code perThread} clips (rounded up to the
     * lanes) when that is known ({@code > 0}).
     */
    static int automatic(LstmStack stack, int frames, boolean hidden, long perThread, long l2) {
        int lanes = lanes(stack);
        long weights =
                (stack.parameterCount() + (long) stack.headClasses() * (stack.outputSize() + 1))
                        * Float.BYTES;
        long group = workingSet(stack, lanes, frames, hidden);
        long groups = Math.max(1, (l2 - weights) / Math.max(1, group));
        if (perThread > 0) groups = Math.min(groups, Math.ceilDiv(perThread, lanes));
        return (int) Math.min(groups * lanes, Integer.MAX_VALUE / 2);
    }

    /** Lanes of the stack's kernels (1 for the scalar ones), the unit of a chunk. */
    static int lanes(LstmStack stack) {
        return Math.max(1, stack.layer(0, 0).kernels().lanes());
    }

    /** An arena that counts what is allocated from it. */
    private static final class CountingArena implements Arena {
        private final Arena inner = Arena.ofConfined();
        long bytes;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            bytes += byteSize;
            return inner.allocate(byteSize, byteAlignment);
        }

        @Override
        public MemorySegment.Scope scope() {
            return inner.scope();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
