package fdht.jmh;

import dev.ludovic.netlib.blas.BLAS;
import fdht.jmh.peers.Blas;
import fdht.jmh.peers.OnnxLstm;
import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dense LSTM-UCF/Youtube layer (1024 x 57,856 gate matrix, 237 MB; both workloads have this
 * shape) run by fdht's own Vector API kernels and by real peers, one thread each, in one run:
 *
 * <ul>
 *   <li>{@code denseStep}: fdht's dense LSTM step; {@code denseGemm}: its gate GEMV/GEMM alone;
 *   <li>{@code ortStep}: ONNX Runtime's {@code LSTM} operator over the same weights (checked at
 *       setup to compute fdht's h), one frame-step per call; {@code ortClip}: the same over a
 *       6-frame clip (per frame, ORT's best case); {@code ortIdentity}: ORT's cost of a call with
 *       no arithmetic;
 *   <li>{@code blasNative}, {@code blasJava}: netlib BLAS sgemv/sgemm through OpenBLAS and pure
 *       Java.
 * </ul>
 *
 * All are bound by streaming the weights from memory. The weights are the rank-4 FDHT matrix of
 * LSTM-UCF, reconstructed.
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DensePeersBenchmark extends NativeBenchmark {
    static final int ROWS = 4 * BenchModel.HIDDEN, COLS = BenchModel.INPUT + BenchModel.HIDDEN;

    @Param({"1", "16", "64"})
    public int batch;

    /** fdht's dense LSTM. */
    @State(Scope.Thread)
    public static class Ours {
        Arena arena;
        Lstm dense;
        Kernels kernels;
        MemorySegment frames, w, x, y;
        LstmState state;
        LstmWorkspace work;
        int batch;

        @Setup(Level.Trial)
        public void setUp(DensePeersBenchmark b) {
            batch = b.batch;
            arena = Arena.ofShared();
            w = BenchModel.UCF.denseWeights(4, arena);
            dense = Lstm.dense(w, BenchModel.INPUT, BenchModel.HIDDEN, BenchModel.bias(), arena);
            kernels = KernelProvider.kernels();
            frames = BenchModel.frames(batch, arena);
            x = BenchModel.paddedFrames(batch, COLS, arena);
            y = Weights.floats(arena, (long) batch * ROWS);
            state = dense.newState(batch, arena);
            work = dense.newWorkspace(batch, arena);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** ONNX Runtime: the dense LSTM and the identity graph, pinned to one intra-op thread. */
    @State(Scope.Thread)
    public static class Ort {
        OnnxLstm lstm, identity;

        @Setup(Level.Trial)
        public void setUp(DensePeersBenchmark b) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = BenchModel.UCF.denseWeights(4, arena);
                MemorySegment frames = BenchModel.frames(b.batch, arena);
                lstm =
                        OnnxLstm.dense(
                                w,
                                BenchModel.bias(),
                                BenchModel.INPUT,
                                BenchModel.HIDDEN,
                                1,
                                b.batch,
                                1);
                lstm.input(frames);
                // the peer must compute what fdht computes: one step from zero state, against
                // fdht's FDHT step
                Lstm fdht = BenchModel.UCF.fdht(4, arena);
                LstmState s = fdht.newState(b.batch, arena);
                fdht.step(frames, 0, BenchModel.INPUT, s, fdht.newWorkspace(b.batch, arena));
                PeerCheck.close("ONNX Runtime LSTM", s.hToArray(), lstm.run(), 2e-3);
                identity = OnnxLstm.identity(BenchModel.INPUT, BenchModel.HIDDEN, 1, b.batch, 1);
                identity.input(frames);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lstm.close();
            identity.close();
        }
    }

    /**
     * ONNX Runtime's dense LSTM over a whole clip ({@code seq = 6}): ORT projects every frame of
     * the sequence in one GEMM before the recurrence, so W_x is read once per clip, not once per
     * frame.
     */
    @State(Scope.Thread)
    public static class OrtClip {
        OnnxLstm lstm;

        @Setup(Level.Trial)
        public void setUp(DensePeersBenchmark b) {
            int frames = BenchModel.CLIP_FRAMES;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = BenchModel.UCF.denseWeights(4, arena);
                MemorySegment ours = BenchModel.frames(b.batch * frames, arena); // fdht: [b][t][x]
                MemorySegment onnx =
                        Weights.floats(
                                arena,
                                (long) b.batch * frames * BenchModel.INPUT); // ONNX: [t][b][x]
                long row = (long) BenchModel.INPUT * Float.BYTES;
                for (int r = 0; r < b.batch; r++) {
                    for (int t = 0; t < frames; t++)
                        MemorySegment.copy(
                                ours,
                                ((long) r * frames + t) * row,
                                onnx,
                                ((long) t * b.batch + r) * row,
                                row);
                }
                lstm =
                        OnnxLstm.dense(
                                w,
                                BenchModel.bias(),
                                BenchModel.INPUT,
                                BenchModel.HIDDEN,
                                frames,
                                b.batch,
                                1);
                lstm.input(onnx);
                Lstm fdht = BenchModel.UCF.fdht(4, arena);
                LstmState s = fdht.newState(b.batch, arena);
                fdht.run(ours, frames, s, fdht.newWorkspace(b.batch, arena), null);
                PeerCheck.close("ONNX Runtime LSTM over a clip", s.hToArray(), lstm.run(), 2e-3);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lstm.close();
        }
    }

    /** netlib BLAS on heap arrays, OpenBLAS pinned to one thread. */
    @State(Scope.Thread)
    public static class Netlib {
        BLAS nativeBlas, javaBlas;
        float[] w, x, y;
        int batch;

        @Setup(Level.Trial)
        public void setUp(DensePeersBenchmark b) {
            batch = b.batch;
            nativeBlas = Blas.nativeBlas();
            Blas.pinOpenBlasThreads(1);
            javaBlas = Blas.javaBlas();
            try (Arena arena = Arena.ofConfined()) {
                w = Weights.toArray(BenchModel.UCF.denseWeights(4, arena), 0, ROWS * COLS);
                x = Weights.toArray(BenchModel.paddedFrames(batch, COLS, arena), 0, batch * COLS);
                y = new float[batch * ROWS];
                // both backends must agree with fdht's kernels on the gate sums
                MemorySegment z = Weights.floats(arena, (long) batch * ROWS);
                KernelProvider.kernels()
                        .gemm(
                                Weights.copyOf(arena, w),
                                0,
                                ROWS,
                                COLS,
                                Weights.copyOf(arena, x),
                                0,
                                z,
                                0,
                                batch,
                                false);
                float[] expect = Weights.toArray(z, 0, batch * ROWS);
                Blas.gemm(nativeBlas, w, ROWS, COLS, x, y, batch);
                PeerCheck.close("native BLAS", expect, y.clone(), 1e-3 * PeerCheck.maxAbs(expect));
                Blas.gemm(javaBlas, w, ROWS, COLS, x, y, batch);
                PeerCheck.close("Java BLAS", expect, y.clone(), 1e-3 * PeerCheck.maxAbs(expect));
            }
        }
    }

    @Benchmark
    public float denseStep(Ours o) {
        o.dense.step(o.frames, 0, BenchModel.INPUT, o.state, o.work);
        return o.state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public MemorySegment denseGemm(Ours o) {
        o.kernels.gemm(o.w, 0, ROWS, COLS, o.x, 0, o.y, 0, o.batch, false);
        return o.y;
    }

    @Benchmark
    public float ortStep(Ort o) {
        return o.lstm.runOnce();
    }

    @Benchmark
    public float ortClip(OrtClip o) {
        return o.lstm.runOnce();
    }

    @Benchmark
    public float ortIdentity(Ort o) {
        return o.identity.runOnce();
    }

    @Benchmark
    public float[] blasNative(Netlib n) {
        Blas.gemm(n.nativeBlas, n.w, ROWS, COLS, n.x, n.y, n.batch);
        return n.y;
    }

    @Benchmark
    public float[] blasJava(Netlib n) {
        Blas.gemm(n.javaBlas, n.w, ROWS, COLS, n.x, n.y, n.batch);
        return n.y;
    }
}
