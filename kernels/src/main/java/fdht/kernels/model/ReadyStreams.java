package fdht.kernels.model;

/**
 * The streams that have an entry waiting and none in flight, oldest head entry first (Triton's
 * "oldest" strategy): a binary min-heap of slots keyed by the push order of their head entry, in
 * arrays made once. Not thread-safe: the batcher's lock guards it.
 */
final class ReadyStreams {
    private final StreamSlot[] heap;
    private int size;

    ReadyStreams(int capacity) {
        heap = new StreamSlot[capacity];
    }

    int size() {
        return size;
    }

    /** The oldest, not removed; null when empty. */
    StreamSlot peek() {
        return size == 0 ? null : heap[0];
    }

    void add(StreamSlot s) {
        int i = size++;
        heap[i] = s;
        s.heapPos = i;
        up(i);
    }

    StreamSlot poll() {
        StreamSlot top = heap[0];
        remove(top);
        return top;
    }

    void remove(StreamSlot s) {
        int i = s.heapPos;
        StreamSlot moved = heap[--size];
        heap[size] = null;
        s.heapPos = -1;
        if (i == size) return;
        heap[i] = moved;
        moved.heapPos = i;
        down(i);
        up(moved.heapPos);
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent].headOrder() <= heap[i].headOrder()) return;
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, least = i;
            if (l < size && heap[l].headOrder() < heap[least].headOrder()) least = l;
            if (r < size && heap[r].headOrder() < heap[least].headOrder()) least = r;
            if (least == i) return;
            swap(i, least);
            i = least;
        }
    }

    private void swap(int a, int b) {
        StreamSlot t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
        heap[a].heapPos = a;
        heap[b].heapPos = b;
    }
}
