package fdht.kernels.model;

/**
 * One place of a {@link SequenceBatcher} for an open stream: who owns it, its queue of waiting
 * entries (a ring of frame ids from the {@link FramePool}, or the markers {@link #END} and {@link
 * #ERROR}) and where it is in its life. Its recurrent state lives in the batcher's native state
 * rows at this slot's index. Made once per slot and reused by every stream that gets the slot. Not
 * thread-safe: every field is read and written under the batcher's lock, except what the stepper
 * that holds the slot in flight reads of its head entry.
 */
final class StreamSlot {
    /** An entry that ends the stream normally ({@link SequenceBatcher.Stream#end()}). */
    static final int END = -1;

    /** An entry that fails the stream with {@link #error} (a bad frame was pushed). */
    static final int ERROR = -2;

    final int index;
    private final int[] entries;
    private final long[] frameIndex;
    private final long[] pushOrder;
    private final long[] pushNanos;
    private final boolean[] last;
    private int head, count;

    long sequenceId;
    FrameListener listener;
    SequenceBatcher.Stream stream; // the handle of the stream holding the slot, null when free
    boolean closing; // no more pushes: a last frame, end() or a bad frame was queued
    boolean inFlight; // its head entry is in a stepper's group
    int heapPos = -1; // its place in the ready heap, -1 when not there
    long pushed; // frames pushed so far: the next frame's index
    long lastActive; // nanoTime of its last push or output, for the idle timeout
    RuntimeException error;

    StreamSlot(int index, int queue) {
        this.index = index;
        this.entries = new int[queue + 1]; // room for one marker past a full queue
        this.frameIndex = new long[queue + 1];
        this.pushOrder = new long[queue + 1];
        this.pushNanos = new long[queue + 1];
        this.last = new boolean[queue + 1];
    }

    void open(long id, FrameListener l, SequenceBatcher.Stream s, long now) {
        sequenceId = id;
        listener = l;
        stream = s;
        closing = false;
        inFlight = false;
        pushed = 0;
        lastActive = now;
        error = null;
        head = count = 0;
    }

    void free() {
        listener = null;
        stream = null;
        head = count = 0;
    }

    boolean isOpen() {
        return stream != null;
    }

    /** Frames (not markers) waiting. */
    int frames() {
        int n = 0;
        for (int i = 0; i < count; i++) if (entries[(head + i) % entries.length] >= 0) n++;
        return n;
    }

    int entries() {
        return count;
    }

    /** Whether a frame fits: {@code queue} entries at most, one more only for a marker. */
    boolean hasRoomForFrame() {
        return count < entries.length - 1;
    }

    void add(int entry, boolean isLast, long order, long now) {
        int at = (head + count) % entries.length;
        entries[at] = entry;
        frameIndex[at] = entry >= 0 ? pushed++ : pushed;
        pushOrder[at] = order;
        pushNanos[at] = now;
        last[at] = isLast;
        count++;
        lastActive = now;
    }

    int headEntry() {
        return entries[head];
    }

    long headFrameIndex() {
        return frameIndex[head];
    }

    long headOrder() {
        return pushOrder[head];
    }

    long headNanos() {
        return pushNanos[head];
    }

    boolean headIsLast() {
        return last[head];
    }

    void removeHead() {
        head = (head + 1) % entries.length;
        count--;
    }
}
