package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A step allocates nothing on the heap once compiled: the calling thread's allocated bytes over
 * a round of steps, counted by the JVM itself (not JMH's gc profiler, whose harness has a floor of
 * its own). A step that allocated anything would show it in every round. Kernels not yet compiled
 * by C2 run the Vector API's boxing fallback, and in a full test run C2's queue on two cores can
 * hold them back for seconds, so rounds repeat until one allocates nothing, for at most
 * {@link #PATIENCE_NANOS} (typically under three seconds).
 */
class StepAllocationTest {
    static final int WARM_UP = 20_000, STEPS = 2_000;
    static final long PATIENCE_NANOS = 30_000_000_000L;
    static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void anFdhtStepAllocatesNothing() {
        for (int batch : new int[]{1, 3, 2 * fdht.kernels.KernelProvider.kernels().lanes() + 1}) { // the last: lane-layout chunks and a row
            try (Arena arena = Arena.ofConfined()) {
                Lstm lstm = RobustnessTest.model(arena);
                MemorySegment frames = Weights.copyOf(arena, LstmModelFileTest.random(batch * RobustnessTest.INPUT, 3, 1));
                LstmState state = lstm.newState(batch, arena);
                LstmWorkspace work = lstm.newWorkspace(batch, arena);
                assertEquals(0, leastAllocated(() -> lstm.step(frames, 0, RobustnessTest.INPUT, state, work)), "bytes per round of FDHT steps, batch " + batch);
            }
        }
    }

    @Test
    void aParallelStepAllocatesNothingOnTheCallingThread() {
        try (Arena arena = Arena.ofShared()) {
            Lstm lstm = RobustnessTest.model(arena);
            MemorySegment frames = Weights.copyOf(arena, LstmModelFileTest.random(4 * RobustnessTest.INPUT, 4, 1));
            LstmState state = lstm.newState(4, arena);
            try (ParallelLstm par = new ParallelLstm(lstm, 4, 2, arena)) {
                assertEquals(0, leastAllocated(() -> par.step(frames, 0, RobustnessTest.INPUT, state)), "bytes per round of 2-thread steps");
            }
        }
    }

    private static long leastAllocated(Runnable step) {
        for (int i = 0; i < WARM_UP; i++) step.run();
        long least = Long.MAX_VALUE;
        for (long start = System.nanoTime(); least > 0 && System.nanoTime() - start < PATIENCE_NANOS; ) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < STEPS; i++) step.run();
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }
}
