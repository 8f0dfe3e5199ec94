package fdht.kernels.model;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The native frames a {@link SequenceBatcher} holds between a push and its step: at most {@code
 * capacity} frames of {@code N_x} floats, in pages allocated when first needed and kept (so memory
 * grows to the largest backlog seen, never past {@code capacity} frames, and a steady state
 * allocates nothing). A frame is named by an int id. Not thread-safe: the batcher's lock guards
 * {@link #take} and {@link #free}; a frame's contents are written and read by whoever holds its id.
 */
final class FramePool {
    static final int PAGE_FRAMES = 64;

    private final Arena arena;
    private final int frameFloats;
    private final int capacity;
    private final MemorySegment[] pages;
    private final int[] free; // a stack of free ids
    private int freeCount;
    private int allocated; // frames in pages so far

    FramePool(Arena arena, int frameFloats, int capacity) {
        this.arena = arena;
        this.frameFloats = frameFloats;
        this.capacity = capacity;
        this.pages = new MemorySegment[(capacity + PAGE_FRAMES - 1) / PAGE_FRAMES];
        this.free = new int[capacity];
    }

    /** A free frame's id, or -1 when all {@code capacity} frames hold queued frames. */
    int take() {
        if (freeCount == 0) {
            if (allocated == capacity) return -1;
            int page = allocated / PAGE_FRAMES;
            int frames = Math.min(PAGE_FRAMES, capacity - allocated);
            pages[page] = Weights.floats(arena, (long) frames * frameFloats);
            for (int i = frames - 1; i >= 0; i--) free[freeCount++] = allocated + i;
            allocated += frames;
        }
        return free[--freeCount];
    }

    void free(int id) {
        free[freeCount++] = id;
    }

    /** The page holding frame {@code id}. */
    MemorySegment page(int id) {
        return pages[id / PAGE_FRAMES];
    }

    /** Frame {@code id}'s first float within its {@link #page}. */
    long offset(int id) {
        return (long) (id % PAGE_FRAMES) * frameFloats;
    }

    /** Frames waiting now. */
    int inUse() {
        return allocated - freeCount;
    }
}
