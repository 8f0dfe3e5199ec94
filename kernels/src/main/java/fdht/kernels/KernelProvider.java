package fdht.kernels;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link Kernels} of this JVM once, at class initialisation, Lucene-style.
 *
 * <p>System property {@code fdht.kernels}: {@code auto} (default) uses the Vector API when the
 * {@code jdk.incubator.vector} module is readable and falls back to scalar with one logged line
 * otherwise; {@code vector} demands it (and fails clearly without it); {@code scalar} forces the
 * fallback. {@code fdht.vectorBits} (128, 256, 512; 0 = scalar) sets the vector width; narrower
 * widths are refused (a 64-bit float vector is two lanes: slower than scalar code). Every
 * measurement switch is read once, here, into {@link #options()}. The vector classes are loaded
 * reflectively, so nothing touches the incubator API before the check.
 *
 * <p>As Lucene's {@code VectorizationProvider} does, the Vector API is used only where C2 will
 * compile it: HotSpot, not JVMCI, with C2 reachable ({@code -Xint}, {@code -XX:TieredStopAtLevel}
 * below 4 and {@code -XX:-UseCompiler} leave the API's boxing Java fallback running for good,
 * 10-100x slower than the scalar kernels). Otherwise one line is logged and the scalar kernels are
 * used.
 *
 * <p>Thread safety: The choice is made once, at class initialisation; thread-safe.
 */
public final class KernelProvider {
    private static final KernelOptions OPTIONS = KernelOptions.fromSystemProperties();
    private static final Kernels ACTIVE = choose();

    private KernelProvider() {}

    /** The kernels chosen for this JVM. */
    public static Kernels kernels() {
        return ACTIVE;
    }

    /**
     * The measurement switches this JVM was started with, read once from the system properties
     * ({@link KernelOptions#fromSystemProperties}); the workspaces' default.
     */
    public static KernelOptions options() {
        return OPTIONS;
    }

    /** The scalar reference kernels, whatever was chosen. */
    public static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    private static Kernels choose() {
        String mode =
                System.getProperty("fdht.kernels", "auto")
                        .trim()
                        .toLowerCase(java.util.Locale.ROOT);
        int bits = OPTIONS.vectorBits();
        System.Logger log = System.getLogger("fdht.kernels");
        switch (mode) {
            case "scalar":
                return ScalarKernels.INSTANCE;
            case "vector":
            case "auto":
                break;
            default:
                throw new IllegalArgumentException(
                        "fdht.kernels=" + mode + ": expected auto, vector or scalar");
        }
        String missing = vectorUnavailableReason(bits);
        if (missing != null) {
            if (mode.equals("vector")) {
                throw new IllegalStateException("fdht.kernels=vector but " + missing);
            }
            log.log(Level.WARNING, "fdht: using scalar kernels because " + missing);
            return ScalarKernels.INSTANCE;
        }
        try {
            return (Kernels)
                    Class.forName("fdht.kernels.vector.VectorKernels")
                            .getField("INSTANCE")
                            .get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            if (mode.equals("vector"))
                throw new IllegalStateException(
                        "fdht.kernels=vector but the vector kernels failed to load: " + e, e);
            log.log(
                    Level.WARNING,
                    "fdht: using scalar kernels because the vector kernels failed to load: " + e);
            return ScalarKernels.INSTANCE;
        }
    }

    /** Why the Vector API cannot be used here, or null if it can. */
    private static String vectorUnavailableReason(int bits) {
        if (bits == 0) return "fdht.vectorBits=0 asks for scalar code";
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the jdk.incubator.vector module is not in the boot layer (run java with --add-modules=jdk.incubator.vector)";
        }
        return compilerUnavailableReason(
                System.getProperty("java.vm.name", ""),
                System.getProperty("java.vm.info", ""),
                KernelProvider::vmOption);
    }

    /**
     * Why C2 will not compile the vector kernels in this VM, or null if it will. {@code option}
     * reads a HotSpot flag by name (null when unknown). Package-private for tests, which feed it
     * other VMs' answers.
     */
    static String compilerUnavailableReason(
            String vmName, String vmInfo, java.util.function.Function<String, String> option) {
        if (!vmName.contains("Server") && !vmName.contains("HotSpot")) {
            return "the VM '"
                    + vmName
                    + "' is not HotSpot with C2, where the Vector API is intrinsified";
        }
        if (vmInfo.contains("interpreted mode") || "false".equals(option.apply("UseCompiler"))) {
            return "the JIT compilers are off (-Xint or -XX:-UseCompiler)";
        }
        if (vmInfo.contains("emulated-client")) {
            return "C2 is disabled (" + vmInfo + ": -XX:TieredStopAtLevel below 4 or a client VM)";
        }
        String stop = option.apply("TieredStopAtLevel");
        if ("true".equals(option.apply("TieredCompilation"))
                && stop != null
                && Integer.parseInt(stop) < 4) {
            return "C2 is disabled (-XX:TieredStopAtLevel=" + stop + ")";
        }
        if ("true".equals(option.apply("UseJVMCICompiler"))) {
            return "the JIT is JVMCI (Graal), which does not intrinsify the Vector API as C2 does";
        }
        return null;
    }

    /** A HotSpot flag's value, or null when the flag or the management module is missing. */
    private static String vmOption(String name) {
        try {
            var bean =
                    java.lang.management.ManagementFactory.getPlatformMXBean(
                            com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? null : bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null; // no jdk.management, or a flag this VM does not have: judged by
            // java.vm.info alone
        }
    }
}
