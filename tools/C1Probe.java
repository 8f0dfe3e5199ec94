import com.sun.management.ThreadMXBean;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.ParallelLstm;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

/**
 * One fresh JVM's answer to "does the 2-thread step stay boxed?" (not part of CI; run by
 * tools/c1_probe.sh, which starts many JVMs with and without the C1 directive). Steps the small
 * test-suite model (90 inputs, H = 4, HT rank 3) at batch 4 on two threads for the given seconds
 * and prints the bytes the calling thread allocated per step in the last of them: 0 once the
 * kernels run C2 code, kilobytes while they run C1 tier-2 code or the interpreter.
 */
public class C1Probe {
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared()) {
            int input = 90, hidden = 4, batch = 4;
            HtMatrix ht = HtMatrix.random(HtFormat.uniform(new int[]{4, 2, 2}, new int[]{4, 5, 5}, 3), 11, arena);
            float[] bias = new float[4 * hidden];
            Lstm lstm = Lstm.fdht(ht, input, bias, arena);
            float[] x = new float[batch * input];
            for (int e = 0; e < x.length; e++) x[e] = (float) Math.sin(e);
            MemorySegment frames = Weights.copyOf(arena, x);
            LstmState state = lstm.newState(batch, arena);
            try (ParallelLstm par = new ParallelLstm(lstm, batch, 2)) {
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long steps = 0, bytes = 0;
                while (System.nanoTime() < end) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime(), n = 0;
                    while (System.nanoTime() - t0 < 1_000_000_000L) {
                        for (int i = 0; i < 100; i++) par.step(frames, 0, input, state);
                        n += 100;
                    }
                    bytes = threads.getCurrentThreadAllocatedBytes() - before;
                    steps = n;
                }
                System.out.println((bytes / Math.max(1, steps)) + " bytes/step in the last second (" + steps + " steps)");
            }
        }
    }
}
