package fdht.jmh;

import fdht.kernels.lstm.Lstm;
import fdht.layout.ColumnFactorization;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** The LSTM-UCF workload of DESIGN.md, built the way {@code fdht demo} builds it, at any rank. */
final class LstmUcf {
    static final int INPUT = 57_600;
    static final int HIDDEN = 256;
    static final int[] ROW_FACTORS = {16, 4, 4, 4};

    private LstmUcf() {}

    static HtFormat format(int rank) {
        int[] n = ColumnFactorization.cheapest(INPUT + HIDDEN, ROW_FACTORS, rank, 0.06, 32, 3);
        return HtFormat.uniform(ROW_FACTORS, n, rank);
    }

    static HtMatrix weights(int rank, Arena arena) {
        return HtMatrix.random(format(rank), 2022, arena);
    }

    static float[] bias() {
        float[] b = new float[4 * HIDDEN];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 0.2 - 0.1);
        return b;
    }

    static Lstm fdht(int rank, Arena arena) {
        return Lstm.fdht(weights(rank, arena), INPUT, bias(), arena);
    }

    /**
     * Runs {@code steps} steps at batch 1 so the kernels are compiled before a trial measures: at
     * batch 16 an interpreted step takes over a second, and a fork's warm-up iterations then see
     * too few operations to reach C2 (measured: one of two forks stuck at 2x the time).
     */
    static void warmUp(Lstm lstm, int steps) {
        try (Arena a = Arena.ofConfined()) {
            var state = lstm.newState(1, a);
            var work = lstm.newWorkspace(1, a);
            MemorySegment frame = frames(1, a);
            for (int i = 0; i < steps; i++) lstm.step(frame, 0, INPUT, state, work);
        }
    }

    /** The plan's input for {@code batch} frames: rows of {@code width} = prod n floats, a frame then zeros where h and the padding go. */
    static MemorySegment paddedFrames(int batch, int width, Arena arena) {
        MemorySegment x = Weights.floats(arena, (long) batch * width);
        MemorySegment frames = frames(batch, arena);
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(frames, (long) b * INPUT * Float.BYTES, x, (long) b * width * Float.BYTES, (long) INPUT * Float.BYTES);
        }
        return x;
    }

    /** {@code rows} deterministic frames of {@code INPUT} floats, uniform in [-1, 1]. */
    static MemorySegment frames(int rows, Arena arena) {
        MemorySegment s = Weights.floats(arena, (long) rows * INPUT);
        SplittableRandom r = new SplittableRandom(7);
        for (long e = 0; e < (long) rows * INPUT; e++) Weights.set(s, e, (float) (r.nextDouble() * 2 - 1));
        return s;
    }
}
