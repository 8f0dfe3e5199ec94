package fdht.kernels.model;

import java.lang.foreign.MemorySegment;

/**
 * One stepper thread of a {@link SequenceBatcher}: waits until a group is due (full, or its oldest
 * frame waited {@code maxDelay}, or a shutdown drains), takes it under the lock, steps it outside
 * the lock a piece at a time ({@link GroupStep#pieceRows}: a chunk of the kernels' lanes, whose
 * frames are gathered just before its step and whose streams hear their outputs right after it, so
 * the first streams of a group of 64 wait one chunk's step and not four), then puts the streams
 * back under the lock. Also ends idle streams. Every callback of a stream runs while the stream is
 * held in flight, so its id cannot be reopened before its listener heard the end. All arrays are
 * made once: a group allocates nothing.
 */
final class Stepper implements Runnable {
    private final BatcherCore b;
    private final StreamSlot[] members;
    private final int[] entry, row;
    private final long[] frameIndex;
    private final boolean[] last;
    private final RuntimeException[] failure;
    private final StreamSlot[] expired;
    private long nextIdleCheck;
    private int limit; // the group limit when the group in hand was taken

    Stepper(BatcherCore b) {
        this.b = b;
        members = new StreamSlot[b.maxBatch];
        entry = new int[b.maxBatch];
        row = new int[b.maxBatch];
        frameIndex = new long[b.maxBatch];
        last = new boolean[b.maxBatch];
        failure = new RuntimeException[b.maxBatch];
        expired = new StreamSlot[b.maxStreams];
    }

    @Override
    public void run() {
        GroupStep made;
        try {
            made = new GroupStep(b.stack, b.outputs.logits(), b.maxBatch);
        } catch (RuntimeException | OutOfMemoryError e) {
            b.stepperSetupFailed = e;
            b.steppersReady.countDown();
            return;
        }
        b.steppersReady.countDown();
        try (GroupStep group = made) {
            while (true) {
                int expiredCount = 0, size = 0;
                b.lock.lock();
                try {
                    while (true) {
                        long now = System.nanoTime();
                        if (b.running() && now - nextIdleCheck >= 0) {
                            expiredCount = expire(now);
                            nextIdleCheck = now + Math.max(1_000_000, b.idleNanos / 8);
                        }
                        StreamSlot oldest = b.stopped() ? null : b.ready.peek();
                        if (oldest != null
                                && (b.ready.size() >= b.groupLimit()
                                        || now - oldest.headNanos() >= b.maxDelayNanos
                                        || !b.running())) {
                            size = take();
                            break;
                        }
                        if (expiredCount > 0) break;
                        if (b.finished()) return;
                        long wait = nextIdleCheck - now;
                        if (oldest != null)
                            wait = Math.min(wait, oldest.headNanos() + b.maxDelayNanos - now);
                        b.work.awaitNanos(Math.max(wait, 1_000));
                    }
                } finally {
                    b.lock.unlock();
                }
                for (int i = 0; i < expiredCount; i++) endExpired(expired[i]);
                if (size > 0) stepAndDeliver(group, size);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the oldest ready streams (under the lock); returns how many. */
    private int take() {
        int n = 0;
        limit = b.groupLimit();
        while (n < limit && b.ready.size() > 0) {
            StreamSlot s = b.ready.poll();
            s.inFlight = true;
            members[n] = s;
            entry[n] = s.headEntry();
            frameIndex[n] = s.headFrameIndex();
            last[n] = s.headIsLast();
            failure[n] = null;
            n++;
        }
        if (b.ready.size() >= limit) b.work.signal(); // another group is due: wake an idle stepper
        return n;
    }

    /**
     * Marks idle streams in flight (under the lock) so their end is heard before they are freed.
     */
    private int expire(long now) {
        int n = 0;
        for (StreamSlot s : b.slots) {
            if (s.isOpen()
                    && !s.inFlight
                    && !s.closing
                    && s.entries() == 0
                    && now - s.lastActive >= b.idleNanos) {
                s.inFlight = true;
                s.closing = true;
                s.stream.ended = "it expired: idle for " + java.time.Duration.ofNanos(b.idleNanos);
                expired[n++] = s;
            }
        }
        return n;
    }

    private void endExpired(StreamSlot s) {
        try {
            s.listener.onExpired(s.sequenceId);
        } catch (RuntimeException ignored) {
            // the stream is over either way
        }
        b.lock.lock();
        try {
            b.release(s, "it expired");
        } finally {
            b.lock.unlock();
        }
    }

    private void stepAndDeliver(GroupStep group, int size) {
        int rows = 0, stepped = 0, piece = group.pieceRows();
        for (int from = 0; from < size; ) {
            int to = from, n = 0;
            while (to < size && (entry[to] < 0 || n < piece)) {
                if (entry[to] >= 0) row[to] = n++;
                to++;
            }
            RuntimeException stepFailed = null;
            if (n > 0) {
                try {
                    stepped += group.size(n);
                    for (int i = from; i < to; i++) if (entry[i] >= 0) gather(group, i);
                    group.step();
                    for (int i = from; i < to; i++)
                        if (entry[i] >= 0 && failure[i] == null)
                            group.scatter(row[i], b.slotH, b.slotC, members[i].index);
                    rows += n;
                } catch (RuntimeException e) {
                    // a closed model, say: every stream of the piece fails
                    stepFailed = e;
                }
            }
            for (int i = from; i < to; i++) deliver(group, i, stepFailed);
            from = to;
            // a group short of its limit was due by its delay: the batcher is not saturated, and
            // latency is what counts. Between its pieces the stepper offers its core to threads
            // waiting for one (producers, a network reader), which would otherwise wait out the
            // scheduler's slice (measured at half load, 2 cores: producers late by p99 0.23-0.29
            // ms instead of 0.39-0.94). Full groups do not yield: it cost 8% at saturation.
            if (size < limit && from < size) Thread.yield();
        }
        b.lock.lock();
        try {
            if (rows > 0) {
                b.batches++;
                b.framesStepped += rows;
                b.paddingRows += stepped - rows;
            }
            long now = System.nanoTime();
            for (int i = 0; i < size; i++) {
                StreamSlot s = members[i];
                members[i] = null;
                if (entry[i] >= 0) b.pool.free(entry[i]);
                s.removeHead();
                s.inFlight = false;
                s.lastActive = now;
                boolean over = entry[i] < 0 || last[i] || failure[i] != null;
                if (over)
                    b.release(
                            s,
                            failure[i] != null ? "failed: " + failure[i].getMessage() : "it ended");
                else if (b.stopped()) droppedLater(s);
                else if (s.entries() > 0) b.ready.add(s);
            }
        } finally {
            b.lock.unlock();
        }
        for (int i = 0; i < size; i++) failure[i] = null;
    }

    /**
     * Member {@code i}'s frame and state into its row. A frame lent in place whose arena closed
     * since the push fails its own stream only: its row is stepped on whatever it holds, and
     * neither its output nor its state is kept (each row's sums are its own).
     */
    private void gather(GroupStep group, int i) {
        try {
            group.gather(
                    row[i],
                    b.pool.page(entry[i]),
                    b.pool.offset(entry[i]),
                    b.slotH,
                    b.slotC,
                    members[i].index);
        } catch (IllegalStateException e) {
            failure[i] =
                    new IllegalStateException(
                            "stream "
                                    + members[i].sequenceId
                                    + ", frame "
                                    + frameIndex[i]
                                    + ": its frame, lent in place, could not be read: "
                                    + e.getMessage(),
                            e);
        }
    }

    /** A stream that was in flight when {@code shutdownNow} came: reported and freed. */
    private void droppedLater(StreamSlot s) {
        long id = s.sequenceId, n = s.frames();
        FrameListener l = s.listener;
        b.release(s, "the batcher shut down");
        b.lock.unlock(); // the callback runs without the lock
        try {
            quietly(l, id, n);
        } finally {
            b.lock.lock();
        }
    }

    static void quietly(FrameListener l, long id, long dropped) {
        try {
            l.onDropped(id, dropped);
        } catch (RuntimeException ignored) {
            // the stream is over either way
        }
    }

    /** Member {@code i}'s callbacks: its output, its end or its error. */
    private void deliver(GroupStep group, int i, RuntimeException stepFailed) {
        StreamSlot s = members[i];
        FrameListener l = s.listener;
        long id = s.sequenceId;
        try {
            if (entry[i] == StreamSlot.ERROR) {
                failure[i] = s.error;
                l.onError(id, frameIndex[i], s.error);
                return;
            }
            if (entry[i] == StreamSlot.END) {
                l.onEnd(id, frameIndex[i]);
                return;
            }
            if (stepFailed != null || failure[i] != null) {
                if (failure[i] == null) failure[i] = stepFailed;
                l.onError(id, frameIndex[i], failure[i]);
                return;
            }
            MemorySegment logits = b.outputs.logits() ? group.logits(row[i]) : null;
            MemorySegment hidden = b.outputs.hidden() ? group.hidden(row[i]) : null;
            l.onOutput(id, frameIndex[i], logits, hidden, last[i]);
            if (last[i]) l.onEnd(id, frameIndex[i] + 1);
        } catch (RuntimeException e) {
            if (failure[i] != null) return; // onError itself threw: the stream is over anyway
            failure[i] = new IllegalStateException("stream " + id + ": its listener threw " + e, e);
            try {
                l.onError(id, frameIndex[i], failure[i]);
            } catch (RuntimeException ignored) {
                // nothing more to tell it
            }
        }
    }
}
