import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The step the timing tools ({@code SteadySpeed}, {@code StepPercentiles}) time: the LSTM-UCF
 * rank-4 FDHT-LSTM (random weights, seed 2022; zero bias) at batch 1 on one fixed frame, with its
 * state and workspace made once, so a step allocates nothing. Not thread-safe: one thread steps it.
 */
final class UcfStep {
    static final int INPUT = 57_600;

    private final Lstm lstm;
    private final MemorySegment frame;
    private final LstmState state;
    private final LstmWorkspace work;

    UcfStep(Arena arena) {
        HtFormat f = HtFormat.uniform(new int[]{16, 4, 4, 4}, new int[]{8, 20, 20, 19}, 4);
        lstm = Lstm.fdht(HtMatrix.random(f, 2022, arena), INPUT, new float[1024], arena);
        frame = Weights.floats(arena, INPUT);
        for (long e = 0; e < INPUT; e++) Weights.set(frame, e, (float) Math.sin(e));
        state = lstm.newState(1, arena);
        work = lstm.newWorkspace(1, arena);
    }

    /** One batch-1 step. */
    void step() {
        lstm.step(frame, 0, INPUT, state, work);
    }
}
