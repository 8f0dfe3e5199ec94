import fdht.kernels.KernelProvider;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * One JVM of the steady-speed check (run by {@code tools/steady_speed.sh}, not part of CI): the
 * LSTM-UCF rank-4 FDHT-LSTM step at batch 1 on one thread, stepped back to back for {@code seconds}
 * (default 10). Every step after {@code warmup} seconds (default 3) is timed; prints one line:
 * {@code kernels steps median_us p99_us bytes_last_second}, the bytes being what this thread
 * allocated during the last second (the JVM's own counter, as {@code StepAllocationTest} reads it).
 */
public class SteadySpeed {
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared()) {
            UcfStep ucf = new UcfStep(arena);
            long[] t = new long[1 << 22];
            int n = 0;
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmup * 1e9);
            long lastSecond = start + (long) ((seconds - 1) * 1e9);
            long end = start + (long) (seconds * 1e9);
            long bytesAtLastSecond = -1;
            long tid = Thread.currentThread().threadId();
            for (long now = start; now < end; ) {
                ucf.step();
                long after = System.nanoTime();
                if (now >= measureFrom && n < t.length) t[n++] = after - now;
                if (bytesAtLastSecond < 0 && after >= lastSecond) bytesAtLastSecond = threads.getThreadAllocatedBytes(tid);
                now = after;
            }
            long bytes = threads.getThreadAllocatedBytes(tid) - bytesAtLastSecond;
            Arrays.sort(t, 0, n);
            System.out.printf("%s %d %.1f %.1f %d%n", KernelProvider.kernels().name(), n, t[n / 2] / 1e3, t[(int) (n * 0.99)] / 1e3, bytes);
        }
    }
}
