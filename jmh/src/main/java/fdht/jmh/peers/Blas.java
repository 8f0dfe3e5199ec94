package fdht.jmh.peers;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A peer: {@code dev.ludovic.netlib}'s BLAS for the dense LSTM's gate GEMV (batch 1) and GEMM
 * (larger batches), through the system's native {@code libblas.so.3} (Debian's OpenBLAS, which
 * {@code ./fdht bench} installs) or through its pure-Java backend (Vector API when the incubator
 * module is present). Weights and activations are heap arrays, as the library takes them.
 */
public final class Blas {
    private Blas() {}

    /**
     * The native backend, failing with a clear message when {@code libblas.so.3} cannot be loaded.
     */
    public static BLAS nativeBlas() {
        try {
            return NativeBLAS.getInstance();
        } catch (Throwable e) {
            throw new IllegalStateException(
                    "native BLAS unavailable (install Debian's libopenblas0-pthread, which provides libblas.so.3): "
                            + e,
                    e);
        }
    }

    public static BLAS javaBlas() {
        return JavaBLAS.getInstance();
    }

    /**
     * Pins OpenBLAS to {@code threads} threads through its own {@code openblas_set_num_threads}
     * (found in the same {@code libblas.so.3} the JNI layer opened); returns OpenBLAS's
     * configuration string, or empty when the library is not OpenBLAS (reference BLAS is
     * single-threaded).
     */
    public static Optional<String> pinOpenBlasThreads(int threads) {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libblas.so.3", Arena.global());
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> set = lib.find("openblas_set_num_threads");
            if (set.isEmpty()) return Optional.empty();
            linker.downcallHandle(set.get(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT))
                    .invokeExact(threads);
            MethodHandle get =
                    linker.downcallHandle(
                            lib.find("openblas_get_num_threads").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int now = (int) get.invokeExact();
            if (now != threads)
                throw new IllegalStateException(
                        "OpenBLAS runs " + now + " threads after asking for " + threads);
            MethodHandle config =
                    linker.downcallHandle(
                            lib.find("openblas_get_config").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment s = (MemorySegment) config.invokeExact();
            return Optional.of(s.reinterpret(256).getString(0) + ", " + now + " thread(s)");
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot pin OpenBLAS threads: " + e, e);
        }
    }

    /**
     * {@code y[b][r] = sum_k w[r][k] x[b][k]} for {@code rows x cols} row-major {@code w}: sgemv at
     * batch 1, sgemm above (BLAS is column-major, so row-major {@code w} is {@code w^T} with
     * leading dimension {@code cols}).
     */
    public static void gemm(
            BLAS blas, float[] w, int rows, int cols, float[] x, float[] y, int batch) {
        if (batch == 1) {
            blas.sgemv("T", cols, rows, 1f, w, cols, x, 1, 0f, y, 1);
        } else {
            blas.sgemm("T", "N", rows, batch, cols, 1f, w, cols, x, cols, 0f, y, rows);
        }
    }
}
