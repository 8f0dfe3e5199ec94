package fdht.kernels;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * Counts what a call allocates on the heap: the calling thread's allocated bytes over a round of
 * calls, counted by the JVM itself (not JMH's gc profiler, whose harness has a floor of its own).
 * Kernels not yet compiled by C2 run the Vector API's boxing fallback, and in a full test run C2's
 * queue on two cores can hold them back for seconds, so rounds repeat until one allocates at most
 * what is allowed, for at most {@link #PATIENCE_NANOS} (typically under three seconds).
 */
public final class Allocations {
    public static final long PATIENCE_NANOS = 30_000_000_000L;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    /**
     * The fewest bytes a round of {@code perRound} calls allocated, after {@code warmUp} calls;
     * rounds repeat until one allocates at most {@code enough} bytes or the patience ran out.
     */
    public static long leastPerRound(Runnable call, int warmUp, int perRound, long enough) {
        for (int i = 0; i < warmUp; i++) call.run();
        long least = Long.MAX_VALUE;
        for (long start = System.nanoTime();
                least > enough && System.nanoTime() - start < PATIENCE_NANOS; ) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < perRound; i++) call.run();
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }
}
