import fdht.kernels.KernelProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One JVM of the steady-speed check (run by {@code tools/steady_speed.sh}, not part of CI): the
 * LSTM-UCF rank-4 FDHT-LSTM step at batch 1 on one thread, stepped for {@code seconds} (default
 * 10); the statistics use the steps after {@code warmup} seconds (default 3). Prints one line:
 *
 * <pre>kernels steps median_us p99_us bytes_last_second steady_ms control_p99/median memory_p99/median</pre>
 *
 * <ul>
 *   <li>{@code bytes_last_second}: what this thread allocated during the last second (the JVM's
 *       own counter, as {@code StepAllocationTest} reads it);
 *   <li>{@code steady_ms}: from the first step to the end of the last 50 ms window whose median
 *       step is over 1.15x the median after the warm-up, unless the control was slow in that window
 *       too (how long this JVM took to reach its steady speed);
 *   <li>{@code control_p99/median}: the same statistic for a control loop with no allocation and
 *       no call ({@link #chain}: dependent FMAs, no memory traffic; compiled before the clock
 *       starts, recorded per 10,000 FMAs), run after every step, as long as a step once the
 *       warm-up has measured one: what the machine itself (interrupts, the hypervisor, other
 *       processes) does to a loop of that length;
 *   <li>{@code memory_p99/median}: the same for a second control run after it, as long as a step
 *       too ({@link #memory}: reads a 512 KiB buffer that stays in L2 between its passes, as a
 *       step's data does): what the machine does to a working set in the caches. On the VMs of
 *       this project it shows the same tail a step has (1.4-1.8; slow passes about every 4 ms,
 *       which fits a timer interrupt evicting the caches: inferred, not traced).
 * </ul>
 *
 * <p>The timed loop is one method, called in 1 ms calls during the warm-up (so C2 has compiled it
 * before the clock starts) and once per timed phase (up to the last second, the last second), with
 * no branch that flips during the run: a branch first taken mid-run (as "now past the
 * warm-up" was) makes C2's code of the loop, which inlines the step, trap and run interpreted.
 *
 * <p>With {@code -Dsteady.dump=FILE} it also writes every step after the warm-up that took over
 * 1.5x the median, as {@code start_ms duration_us} from JVM start (the clock of {@code -Xlog}'s
 * uptime decorations, so slow steps can be matched against safepoint, GC and compilation logs).
 */
public class SteadySpeed {
    static final long WINDOW_NANOS = 50_000_000L;

    /** Times and buffers; one instance per run. */
    static final class Run {
        final long[] begin = new long[1 << 21], took = new long[begin.length];
        final long[] control = new long[begin.length];
        final long[] memoryControl = new long[begin.length];
        int n;
        int controlLength = 10_000;
        int memoryLength = 10_000;
        MemorySegment buffer;
        double sink = 1;
    }

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofShared()) {
            UcfStep ucf = new UcfStep(arena);
            Run run = new Run();
            run.buffer = arena.allocate(MEMORY_FLOATS * 4L, 64);
            for (int i = 0; i < 50; i++) run.sink = chain(run.sink, 100_000); // compiled before the clock starts
            long start = System.nanoTime();
            // the warm-up in calls of 1 ms: C2 then compiles stepUntil itself, not only an
            // on-stack replacement inside its first call, and the timed phases below call that
            // code; with one warm-up call, each phase re-entered the loop in the interpreter and
            // C1, and C2 compiling it again on the other core for about 2 s made the first
            // seconds after the warm-up the slowest (most of each JVM's p99)
            long warmEnd = start + (long) (warmup * 1e9);
            for (long t = System.nanoTime(); t < warmEnd; t = System.nanoTime())
                stepUntil(ucf, run, Math.min(warmEnd, t + 1_000_000L));
            int first = run.n;
            run.controlLength = calibrate(run, first);
            run.memoryLength = calibrateMemory(run, first);
            stepUntil(ucf, run, start + (long) ((seconds - 1) * 1e9));
            long bytesAtLastSecond = threads.getThreadAllocatedBytes(tid);
            stepUntil(ucf, run, start + (long) (seconds * 1e9));
            long bytes = threads.getThreadAllocatedBytes(tid) - bytesAtLastSecond;
            long[] measured = Arrays.copyOfRange(run.took, first, run.n);
            long[] control = Arrays.copyOfRange(run.control, first, run.n);
            long[] memory = Arrays.copyOfRange(run.memoryControl, first, run.n);
            Arrays.sort(measured);
            Arrays.sort(control);
            Arrays.sort(memory);
            long median = measured[measured.length / 2];
            System.out.printf(
                    "%s %d %.1f %.1f %d %d %.2f %.2f%n",
                    KernelProvider.kernels().name(), measured.length, median / 1e3, p99(measured) / 1e3, bytes,
                    steadyFrom(run, start, median, control[control.length / 2]) / 1_000_000,
                    (double) p99(control) / control[control.length / 2],
                    (double) p99(memory) / memory[memory.length / 2]);
            String dump = System.getProperty("steady.dump");
            if (dump != null) {
                // nanoTime and the JVM's uptime share no origin: anchor the uptime now
                long uptimeOrigin = System.nanoTime() - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
                try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(dump)))) {
                    for (int i = first; i < run.n; i++) {
                        if (run.took[i] > 1.5 * median) out.printf("%.3f %.1f%n", (run.begin[i] - uptimeOrigin) / 1e6, run.took[i] / 1e3);
                    }
                }
            }
        }
    }

    /**
     * Steps, each followed by the two controls, until {@code deadline} or the buffers are full.
     */
    static void stepUntil(UcfStep ucf, Run run, long deadline) {
        long[] begin = run.begin, took = run.took, control = run.control, memoryControl = run.memoryControl;
        int n = run.n, length = run.controlLength, memoryLength = run.memoryLength;
        double sink = run.sink;
        MemorySegment buffer = run.buffer;
        for (long now = System.nanoTime(); now < deadline && n < begin.length; ) {
            ucf.step();
            long after = System.nanoTime();
            sink = chain(sink, length);
            long afterControl = System.nanoTime();
            sink += memory(buffer, memoryLength);
            long afterMemory = System.nanoTime();
            begin[n] = now;
            took[n] = after - now;
            memoryControl[n] = (afterMemory - afterControl) * 10_000 / memoryLength; // per 10,000 floats
            control[n++] = (afterControl - after) * 10_000 / length; // per 10,000 FMAs
            now = afterMemory;
        }
        run.n = n;
        run.sink = sink;
    }

    /** Floats of the memory control's buffer: 512 KiB, in L2 between its passes, as a step's data is. */
    static final int MEMORY_FLOATS = 1 << 17;

    /**
     * The memory control: reads {@code length} floats cyclically from a 512 KiB native buffer, no
     * allocation, no call. Unlike {@link #chain} it sees what evicts a working set from the caches
     * (an interrupt's or the hypervisor's own memory traffic) as a step does.
     */
    static double memory(MemorySegment buffer, int length) {
        float a = 0, b = 0, c = 0, d = 0;
        for (int i = 0; i + 4 <= length; i += 4) {
            long at = (long) (i & (MEMORY_FLOATS - 1)) * 4;
            a += buffer.get(ValueLayout.JAVA_FLOAT, at);
            b += buffer.get(ValueLayout.JAVA_FLOAT, at + 4);
            c += buffer.get(ValueLayout.JAVA_FLOAT, at + 8);
            d += buffer.get(ValueLayout.JAVA_FLOAT, at + 12);
        }
        return a + b + c + d;
    }

    /**
     * The control: {@code length} dependent FMAs (about 4 cycles each), no memory traffic, no
     * allocation, no call. It sees what takes the core away (interrupts, the hypervisor, other
     * processes), not what slows memory or shares the core's units (a hyperthread of the host).
     */
    static double chain(double x, int length) {
        for (int i = 0; i < length; i++) x = Math.fma(x, 0.9999999, 1e-9);
        return x;
    }

    /** A control length about as long as the median of the last 1,000 warm-up steps. */
    static int calibrate(Run run, int end) {
        int from = Math.max(0, end - 1000);
        // control times are per 10,000 FMAs
        return (int) Math.max(1, 10_000.0 * windowMedian(run.took, from, end) / Math.max(1, windowMedian(run.control, from, end)));
    }

    /** A memory-control length about as long as the median of the last 1,000 warm-up steps. */
    static int calibrateMemory(Run run, int end) {
        int from = Math.max(0, end - 1000);
        return (int) Math.max(4, 10_000.0 * windowMedian(run.took, from, end) / Math.max(1, windowMedian(run.memoryControl, from, end)));
    }

    static long p99(long[] sorted) {
        return sorted[(int) (sorted.length * 0.99)];
    }

    /**
     * Nanoseconds from {@code start} to the end of the last 50 ms window whose median step is over
     * 1.15x {@code median} while its median control is not over 1.15x the control's median (a
     * window where both are slow is the machine's doing, not the JIT's); 0 when there is none.
     */
    static long steadyFrom(Run run, long start, long median, long controlMedian) {
        long steady = 0;
        for (int i = 0; i < run.n; ) {
            long windowEnd = run.begin[i] + WINDOW_NANOS;
            int j = i;
            while (j < run.n && run.begin[j] < windowEnd) j++;
            if (windowMedian(run.took, i, j) > 1.15 * median && windowMedian(run.control, i, j) <= 1.15 * controlMedian)
                steady = run.begin[j - 1] + run.took[j - 1] - start;
            i = j;
        }
        return steady;
    }

    static long windowMedian(long[] times, int from, int to) {
        long[] w = Arrays.copyOfRange(times, from, to);
        Arrays.sort(w);
        return w[w.length / 2];
    }
}
