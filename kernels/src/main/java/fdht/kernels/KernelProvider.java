package fdht.kernels;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link Kernels} of this JVM once, at class initialisation, Lucene-style.
 *
 * <p>System property {@code fdht.kernels}: {@code auto} (default) uses the Vector API when the
 * {@code jdk.incubator.vector} module is readable and falls back to scalar with one logged line
 * otherwise; {@code vector} demands it (and fails clearly without it); {@code scalar} forces the
 * fallback. {@code fdht.vectorBits} (128, 256, 512; 0 = scalar) sets the vector width.
 * The vector classes are loaded reflectively, so nothing touches the incubator API before the check.
 *
 * <p>Thread safety: The choice is made once, at class initialisation; thread-safe.
 */
public final class KernelProvider {
    private static final Kernels ACTIVE = choose();

    private KernelProvider() {}

    /** The kernels chosen for this JVM. */
    public static Kernels kernels() { return ACTIVE; }

    /** The scalar reference kernels, whatever was chosen. */
    public static Kernels scalar() { return ScalarKernels.INSTANCE; }

    private static Kernels choose() {
        String mode = System.getProperty("fdht.kernels", "auto").trim().toLowerCase(java.util.Locale.ROOT);
        int bits = Integer.getInteger("fdht.vectorBits", -1);
        System.Logger log = System.getLogger("fdht.kernels");
        switch (mode) {
            case "scalar":
                return ScalarKernels.INSTANCE;
            case "vector":
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("fdht.kernels=" + mode + ": expected auto, vector or scalar");
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
            return (Kernels) Class.forName("fdht.kernels.vector.VectorKernels").getField("INSTANCE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            if (mode.equals("vector")) throw new IllegalStateException("fdht.kernels=vector but the vector kernels failed to load: " + e, e);
            log.log(Level.WARNING, "fdht: using scalar kernels because the vector kernels failed to load: " + e);
            return ScalarKernels.INSTANCE;
        }
    }

    /** Why the Vector API cannot be used here, or null if it can. */
    private static String vectorUnavailableReason(int bits) {
        if (bits == 0) return "fdht.vectorBits=0 asks for scalar code";
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the jdk.incubator.vector module is not in the boot layer (run java with --add-modules=jdk.incubator.vector)";
        }
        String vm = System.getProperty("java.vm.name", "");
        if (!vm.contains("Server") && !vm.contains("HotSpot")) {
            return "the VM '" + vm + "' is not HotSpot with C2, where the Vector API is intrinsified";
        }
        return null;
    }
}
