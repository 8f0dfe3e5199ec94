package fdht.kernels.model;

import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The frames a {@link SequenceBatcher} holds between a push and its step: at most {@code capacity}
 * in all, each named by an int id. A copied frame ({@link #take}) lives in native pages allocated
 * when first needed and kept (so memory grows to the largest backlog seen, never past {@code
 * capacity} frames, and a steady state allocates nothing); a lent frame ({@link #lend}) is the
 * caller's own segment, read where it is when its group is stepped. Not thread-safe: the batcher's
 * lock guards {@link #take}, {@link #lend} and {@link #free}; a frame's contents are written and
 * read by whoever holds its id.
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
    private final MemorySegment[] lent; // id - capacity -> the caller's segment, null when free
    private final int[] freeLent;
    private int freeLentCount, lentInUse;

    FramePool(Arena arena, int frameFloats, int capacity) {
        this.arena = arena;
        this.frameFloats = frameFloats;
        this.capacity = capacity;
        this.pages = new MemorySegment[(capacity + PAGE_FRAMES - 1) / PAGE_FRAMES];
        this.free = new int[capacity];
        this.lent = new MemorySegment[capacity];
        this.freeLent = new int[capacity];
        for (int i = capacity - 1; i >= 0; i--) freeLent[freeLentCount++] = i;
    }

    /** A free frame's id, or -1 when {@code capacity} frames wait already (copied or lent). */
    int take() {
        if (full()) return -1;
        if (freeCount == 0) { // not full: fewer than capacity frames are in pages
            int page = allocated / PAGE_FRAMES;
            int frames = Math.min(PAGE_FRAMES, capacity - allocated);
            pages[page] = Weights.floats(arena, (long) frames * frameFloats);
            for (int i = frames - 1; i >= 0; i--) free[freeCount++] = allocated + i;
            allocated += frames;
        }
        return free[--freeCount];
    }

    /**
     * An id for the caller's own frame, read in place when stepped, or -1 when {@code capacity}
     * frames wait already.
     */
    int lend(MemorySegment frame) {
        if (full()) return -1;
        int k = freeLent[--freeLentCount];
        lent[k] = frame;
        lentInUse++;
        return capacity + k;
    }

    void free(int id) {
        if (id >= capacity) {
            lent[id - capacity] = null; // the caller's memory is not kept reachable
            freeLent[freeLentCount++] = id - capacity;
            lentInUse--;
        } else free[freeCount++] = id;
    }

    /** The segment holding frame {@code id}: a page, or the lent frame itself. */
    MemorySegment page(int id) {
        return id >= capacity ? lent[id - capacity] : pages[id / PAGE_FRAMES];
    }

    /** Frame {@code id}'s first float within its {@link #page}. */
    long offset(int id) {
        return id >= capacity ? 0 : (long) (id % PAGE_FRAMES) * frameFloats;
    }

    /** Whether {@code capacity} frames wait already: {@link #take} and {@link #lend} refuse. */
    boolean full() {
        return inUse() == capacity;
    }

    /** Frames waiting now, copied and lent. */
    int inUse() {
        return allocated - freeCount + lentInUse;
    }
}
