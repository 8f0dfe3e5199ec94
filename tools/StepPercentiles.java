import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
            int input = 57_600;
            HtFormat f = HtFormat.uniform(new int[]{16, 4, 4, 4}, new int[]{8, 20, 20, 19}, 4);
            Lstm lstm = Lstm.fdht(HtMatrix.random(f, 2022, arena), input, new float[1024], arena);
            MemorySegment x = Weights.floats(arena, input);
            for (long e = 0; e < input; e++) Weights.set(x, e, (float) Math.sin(e));
            LstmState state = lstm.newState(1, arena);
            LstmWorkspace work = lstm.newWorkspace(1, arena);
            for (int i = 0; i < 3000; i++) lstm.step(x, 0, input, state, work);
            for (int round = 0; round < 3; round++) {
                long[] t = new long[15_000];
                long start = System.nanoTime();
                for (int n = 0; n < t.length; n++) {
                    long t0 = System.nanoTime();
                    lstm.step(x, 0, input, state, work);
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
