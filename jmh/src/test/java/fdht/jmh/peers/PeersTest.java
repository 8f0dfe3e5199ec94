package fdht.jmh.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ludovic.netlib.blas.BLAS;
import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The peers compute what fdht computes, so the benchmarks compare like with like. */
class PeersTest {
    static final int INPUT = 37, HIDDEN = 8;

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    @Test
    void onnxRuntimesLstmBuiltFromOurBytesEqualsOurDenseLstmOverAClipInEveryGate() {
        for (int batch : new int[] {1, 3}) {
            int seq = 4;
            try (Arena arena = Arena.ofConfined()) {
                // weights large enough that every gate matters (a gate-order mix-up moves h by far
                // more than the tolerance)
                MemorySegment w =
                        Weights.copyOf(arena, random(4 * HIDDEN * (INPUT + HIDDEN), 3, 0.4));
                float[] bias = random(4 * HIDDEN, 4, 0.5);
                Lstm ours =
                        Lstm.dense(w, INPUT, HIDDEN, bias, arena)
                                .withKernels(KernelProvider.scalar());
                float[] clip = random(seq * batch * INPUT, 5, 1); // ONNX: [t][b][x]
                MemorySegment onnxX = Weights.copyOf(arena, clip);
                MemorySegment oursX = Weights.floats(arena, clip.length); // fdht: [b][t][x]
                for (int t = 0; t < seq; t++) {
                    for (int b = 0; b < batch; b++) {
                        MemorySegment.copy(
                                onnxX,
                                ((long) t * batch + b) * INPUT * 4,
                                oursX,
                                ((long) b * seq + t) * INPUT * 4,
                                INPUT * 4L);
                    }
                }
                LstmState s = ours.newState(batch, arena);
                ours.run(oursX, seq, s, ours.newWorkspace(batch, arena), null);
                try (OnnxLstm ort = OnnxLstm.dense(w, bias, INPUT, HIDDEN, seq, batch, 1)) {
                    ort.input(onnxX);
                    float[] got = ort.run();
                    float[] expect = s.hToArray();
                    assertEquals(expect.length, got.length);
                    double spread = 0;
                    for (int e = 0; e < got.length; e++) {
                        assertEquals(expect[e], got[e], 1e-5, "h[" + e + "], batch " + batch);
                        spread = Math.max(spread, Math.abs(expect[e]));
                    }
                    assertTrue(
                            spread > 0.1,
                            "h should be far from 0 for the check to mean anything, max |h| "
                                    + spread);
                }
            }
        }
    }

    @Test
    void theIdentityGraphReturnsItsStateInputAndTheLstmRejectsABadBias() {
        try (OnnxLstm id = OnnxLstm.identity(INPUT, HIDDEN, 1, 2, 1)) {
            float[] h = id.run();
            assertEquals(2 * HIDDEN, h.length);
            for (float v : h) assertEquals(0f, v);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Weights.floats(arena, 4L * HIDDEN * (INPUT + HIDDEN));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> OnnxModel.lstm(w, new float[3], INPUT, HIDDEN, 1, 1));
            assertTrue(e.getMessage().contains("4H"), e.getMessage());
        }
    }

    @Test
    void blasGemvAndGemmEqualOurKernelsOnBothBackends() {
        int rows = 24, cols = 301;
        float[] w = random(rows * cols, 7, 1);
        for (int batch : new int[] {1, 5}) {
            float[] x = random(batch * cols, 8 + batch, 1);
            float[] expect;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment y = Weights.floats(arena, (long) batch * rows);
                KernelProvider.scalar()
                        .gemm(
                                Weights.copyOf(arena, w),
                                0,
                                rows,
                                cols,
                                Weights.copyOf(arena, x),
                                0,
                                y,
                                0,
                                batch,
                                false);
                expect = Weights.toArray(y, 0, batch * rows);
            }
            BLAS nat = null;
            try {
                nat = Blas.nativeBlas();
            } catch (IllegalStateException e) {
                assertTrue(
                        e.getMessage().contains("libopenblas0-pthread"),
                        e.getMessage()); // the failure says what to install
            }
            for (BLAS blas :
                    nat == null
                            ? new BLAS[] {Blas.javaBlas()}
                            : new BLAS[] {Blas.javaBlas(), nat}) {
                float[] y = new float[batch * rows];
                Blas.gemm(blas, w, rows, cols, x, y, batch);
                for (int e = 0; e < y.length; e++)
                    assertEquals(
                            expect[e],
                            y[e],
                            1e-3,
                            blas.getClass().getSimpleName() + " y[" + e + "], batch " + batch);
            }
        }
    }

    @Test
    void openBlasThreadsArePinnedWhenTheLibraryIsOpenBlas() {
        boolean nativeBlas;
        try {
            Blas.nativeBlas();
            nativeBlas = true;
        } catch (IllegalStateException e) {
            nativeBlas = false; // the previous test checks the message
        }
        assumeTrue(nativeBlas, "no native BLAS on this machine: nothing to pin");
        // OpenBLAS is the libblas.so.3 that exports openblas_set_num_threads; reference BLAS
        // (single-threaded) does not, and then there is nothing to pin and no configuration
        boolean openBlas =
                SymbolLookup.libraryLookup("libblas.so.3", Arena.global())
                        .find("openblas_set_num_threads")
                        .isPresent();
        Optional<String> config = Blas.pinOpenBlasThreads(1);
        if (openBlas) {
            assertTrue(config.isPresent(), "OpenBLAS gives its configuration after pinning");
            assertTrue(config.get().contains(", 1 thread"), config.get());
        } else {
            assertTrue(config.isEmpty(), "not OpenBLAS, yet a configuration: " + config);
        }
    }
}
