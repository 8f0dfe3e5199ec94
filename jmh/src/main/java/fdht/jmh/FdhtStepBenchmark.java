package fdht.jmh;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * A benchmark of the FDHT-LSTM step ({@code fdhtStep}) on one thread at the subclass's batch: the
 * model with its kernels compiled, the frames and a state ({@link #setUpStep}); the subclass makes
 * the workspace, since what it reads when made is what the subclasses vary. Time per operation is
 * for the whole batch.
 */
public abstract class FdhtStepBenchmark extends ModelBenchmark {
    Lstm lstm;
    MemorySegment frames;
    LstmState state;
    LstmWorkspace work;

    /**
     * Opens the arena and makes the model, {@code batch} frames and the state; the subclass's trial
     * set-up calls it first.
     */
    void setUpStep(int batch) {
        arena = Arena.ofShared();
        lstm = BenchModel.named(model).warmFdht(rank, arena);
        frames = BenchModel.frames(batch, arena);
        state = lstm.newState(batch, arena);
    }

    @Benchmark
    public float fdhtStep() {
        return BenchModel.step(lstm, frames, state, work);
    }
}
