package fdht.jmh;

import ai.onnxruntime.OrtEnvironment;
import fdht.jmh.peers.Blas;
import fdht.kernels.KernelProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Prints what a benchmark report must state about the machine and the peers: CPU, cores, JDK,
 * kernels, ORT and BLAS builds, thread pinning.
 */
public final class BenchEnvironment {
    private BenchEnvironment() {}

    public static void main(String[] args) throws IOException {
        System.out.println("date:      " + LocalDate.now());
        System.out.println(
                "cpu:       "
                        + cpu()
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores visible to the JVM");
        System.out.println(
                "jdk:       "
                        + System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.runtime.version"));
        System.out.println(
                "fdht:      kernels "
                        + KernelProvider.kernels().name()
                        + "; every fdht benchmark runs on one thread except ThreadScalingBenchmark");
        System.out.println(
                "onnx:      ONNX Runtime "
                        + OrtEnvironment.getEnvironment().getVersion()
                        + " (Maven com.microsoft.onnxruntime:onnxruntime, CPU provider), intra-op threads 1, sequential");
        String nativeBlas;
        try {
            Blas.nativeBlas();
            nativeBlas =
                    Blas.pinOpenBlasThreads(1)
                            .map(c -> "OpenBLAS: " + c)
                            .orElse(
                                    "libblas.so.3 is not OpenBLAS (reference BLAS, single-threaded)");
        } catch (IllegalStateException e) {
            nativeBlas = "unavailable: " + e.getMessage();
        }
        System.out.println(
                "blas:      netlib native -> "
                        + nativeBlas
                        + "; netlib Java -> "
                        + Blas.javaBlas().getClass().getSimpleName());
    }

    private static String cpu() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) return System.getProperty("os.arch");
        for (String line : Files.readAllLines(info)) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        }
        return System.getProperty("os.arch");
    }
}
