import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * The distribution behind a JMH mean (not part of CI): times 15,000 single batch-1 steps of the
 * LSTM-UCF rank-4 FDHT-LSTM, three rounds, and prints min, p10, p50, p90, p99 and the mean. A
 * mean far above p10 says the machine, not the kernel, set the JMH figure (run by
 * {@code tools/step_percentiles.sh}).
 */
public class StepPercentiles {
    public static void main(String[] args) {
        try (Arena arena = Arena.ofShared()) {
            UcfStep ucf = new UcfStep(arena);
            for (int i = 0; i < 3000; i++) ucf.step();
            for (int round = 0; round < 3; round++) {
                long[] t = new long[15_000];
                long start = System.nanoTime();
                for (int n = 0; n < t.length; n++) {
                    long t0 = System.nanoTime();
                    ucf.step();
                    t[n] = System.nanoTime() - t0;
                }
                double mean = (System.nanoTime() - start) / 1e3 / t.length;
                Arrays.sort(t);
                int n = t.length;
                System.out.printf("batch-1 step, us: min %.1f  p10 %.1f  p50 %.1f  p90 %.1f  p99 %.1f  mean %.1f%n",
                        t[0] / 1e3, t[n / 10] / 1e3, t[n / 2] / 1e3, t[n * 9 / 10] / 1e3, t[n * 99 / 100] / 1e3, mean);
            }
        }
    }
}
