package fdht.kernels.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FrameListener} for tests that records everything each stream receives, copied, and
 * checks what must hold of any stream: frame indices 0, 1, 2, ... in order, and exactly one ending
 * callback after the last output.
 */
class BatcherLog implements FrameListener {
    /** What one stream received. */
    static final class Entry {
        final List<float[]> logits = new ArrayList<>(), hidden = new ArrayList<>();
        final List<Boolean> last = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        String ending; // "end n", "error i: msg", "expired", "dropped n"
        RuntimeException error;
        long errorFrame = -1;
    }

    final Map<Long, Entry> streams = new ConcurrentHashMap<>();
    private final CountDownLatch ended;

    BatcherLog(int streams) {
        ended = new CountDownLatch(streams);
    }

    Entry of(long id) {
        return streams.computeIfAbsent(id, k -> new Entry());
    }

    private static float[] copy(MemorySegment s) {
        return s == null ? null : s.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Override
    public void onOutput(
            long sequenceId,
            long frameIndex,
            MemorySegment logits,
            MemorySegment hidden,
            boolean last) {
        Entry e = of(sequenceId);
        synchronized (e) {
            if (e.ending != null) e.problems.add("output " + frameIndex + " after " + e.ending);
            if (frameIndex != e.hidden.size())
                e.problems.add("frame " + frameIndex + " came as output " + e.hidden.size());
            e.logits.add(copy(logits));
            e.hidden.add(copy(hidden));
            e.last.add(last);
        }
    }

    private void end(long id, String how) {
        Entry e = of(id);
        synchronized (e) {
            if (e.ending != null) e.problems.add(how + " after " + e.ending);
            e.ending = how;
        }
        ended.countDown();
    }

    @Override
    public void onEnd(long sequenceId, long frames) {
        end(sequenceId, "end " + frames);
    }

    @Override
    public void onError(long sequenceId, long frameIndex, RuntimeException error) {
        Entry e = of(sequenceId);
        synchronized (e) {
            e.error = error;
            e.errorFrame = frameIndex;
        }
        end(sequenceId, "error " + frameIndex);
    }

    @Override
    public void onExpired(long sequenceId) {
        end(sequenceId, "expired");
    }

    @Override
    public void onDropped(long sequenceId, long frames) {
        end(sequenceId, "dropped " + frames);
    }

    /** Waits until {@code streams} (of the constructor) ended; false after the timeout. */
    boolean awaitEnded(long seconds) throws InterruptedException {
        return ended.await(seconds, TimeUnit.SECONDS);
    }
}
