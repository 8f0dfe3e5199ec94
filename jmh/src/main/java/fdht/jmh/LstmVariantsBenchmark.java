package fdht.jmh;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The other ways to run one LSTM step, one thread each: the FDHT step on the scalar twin ({@code
 * fdhtStepScalar}), HT on {@code W_x} only with a dense {@code W_h} ({@code htInputStep}, the
 * "separate" layout FDHT integrates away), and TT-LSTM contracted in TIE's order ({@code ttStep},
 * the accelerator's rival format).
 */
public class LstmVariantsBenchmark extends ModelBenchmark {
    @Param({"1", "16"})
    public int batch;

    private Lstm scalar, htInput, tt;
    private MemorySegment frames;
    private LstmState state;
    private LstmWorkspace scalarWork, htInputWork, ttWork;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        BenchModel m = BenchModel.named(model);
        scalar = m.fdht(rank, arena).withKernels(KernelProvider.scalar());
        htInput = m.htInput(rank, arena);
        tt = m.tt(rank, arena);
        BenchModel.warmUp(htInput, 3000);
        BenchModel.warmUp(tt, 3000);
        frames = BenchModel.frames(batch, arena);
        state = scalar.newState(batch, arena);
        scalarWork = scalar.newWorkspace(batch, arena);
        htInputWork = htInput.newWorkspace(batch, arena);
        ttWork = tt.newWorkspace(batch, arena);
    }

    @Benchmark
    public float fdhtStepScalar() {
        return BenchModel.step(scalar, frames, state, scalarWork);
    }

    @Benchmark
    public float htInputStep() {
        return BenchModel.step(htInput, frames, state, htInputWork);
    }

    @Benchmark
    public float ttStep() {
        return BenchModel.step(tt, frames, state, ttWork);
    }
}
