package fdht.kernels.vector;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps HotSpot's C1 compiler off the kernels C1 cannot compile with profiling, once per JVM, so
 * they run interpreted until C2 compiles them, never as C1 code.
 *
 * <p>Why: C1 does not intrinsify the Vector API; it runs the API's Java fallback, which boxes every
 * vector (tens of times slower, kilobytes allocated per call). C1's profiling tier (3) cannot
 * compile the register-blocked kernels listed in {@link #METHODS} ("out of virtual registers": the
 * API's {@code @ForceInline} internals expand into thousands of values), but its tier 2 can. When
 * the C2 queue is long, as at start-up on two cores, HotSpot installs tier-2 code, then fails the
 * tier-3 OSR compile and can keep the tier-2 code for good: measured, one run in six of a 2-thread
 * LSTM step on the two-core CI machine allocated 144 KB per step for as long as it ran. Excluded
 * from C1, such a kernel goes from the interpreter to C2, the path HotSpot already takes for
 * methods C1 rejects. Kernels C1 does compile at tier 3 (the activations, the 1-row loops) are left
 * alone: they take the usual 0-3-4 path. Excluding every method of this package was measured
 * (docs/PERFORMANCE.md, steady speed): barely sooner at steady speed (1.27 s against 1.42 s, median
 * of 13 JVMs under load), no fewer bad JVMs, and C2 then compiles from the interpreter's thinner
 * profile, with more uncommon traps and, for a vector carried from one loop iteration to the next,
 * a virtual call that boxes for good. The list is what {@code -XX:TieredStopAtLevel=3
 * -XX:+PrintCompilation} reports as "COMPILE SKIPPED" over the kernel tests; a new register-blocked
 * kernel belongs on it.
 *
 * <p>How: a compiler directive (what {@code jcmd <pid> Compiler.directives_add} adds), through the
 * platform's DiagnosticCommand MBean, which reads it from a file: one temporary file, deleted at
 * once. {@code -Dfdht.c1Directive=false} skips it (then launch with {@code -XX:-TieredCompilation}
 * or a {@code -XX:CompilerDirectivesFile} of your own); when the MBean is missing (a runtime image
 * without {@code jdk.management}) one warning is logged and nothing else changes.
 */
final class C1Directive {
    static final String[] METHODS = {
        "fdht/kernels/vector/VectorContract.narrowBlock",
        "fdht/kernels/vector/VectorContract.wide",
        "fdht/kernels/vector/VectorLaneContract.block3x8",
        "fdht/kernels/vector/VectorLaneContract.block1x8",
        "fdht/kernels/vector/VectorLaneTranspose.block16",
        "fdht/kernels/vector/VectorLaneTranspose.block8",
        "fdht/kernels/vector/VectorLaneTranspose.block4",
        "fdht/kernels/vector/VectorDense.fourByFour",
        "fdht/kernels/vector/VectorDense.fourBatchRows",
        "fdht/kernels/vector/VectorDense.fourWeightRows",
    };
    private static final String DIRECTIVE =
            "[ { match: [\"" + String.join("\", \"", METHODS) + "\"], c1: { Exclude: true } } ]\n";

    private C1Directive() {}

    /**
     * Adds the directive unless switched off; never throws. Called once, by {@link VectorKernels}'s
     * initialiser.
     */
    static void register() {
        if (!Boolean.parseBoolean(System.getProperty("fdht.c1Directive", "true"))) return;
        System.Logger log = System.getLogger("fdht.kernels");
        Path file = null;
        try {
            file = Files.createTempFile("fdht-c1-", ".json");
            Files.writeString(file, DIRECTIVE);
            Object added = diagnosticCommand("compilerDirectivesAdd", file.toString());
            log.log(Level.DEBUG, "fdht: compiler directive added: " + added);
        } catch (Exception | LinkageError e) {
            log.log(
                    Level.WARNING,
                    "fdht: could not keep C1 off the vector kernels ("
                            + e
                            + "); on few cores they may run unintrinsified; see C1Directive");
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a leftover temp file of 60 bytes is not worth failing start-up for
                }
            }
        }
    }

    /**
     * Runs one diagnostic command (the MBean operation name, e.g. compilerDirectivesPrint) and
     * returns its output.
     */
    static String diagnosticCommand(String operation, String... args) throws Exception {
        return (String)
                ManagementFactory.getPlatformMBeanServer()
                        .invoke(
                                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                operation,
                                new Object[] {args},
                                new String[] {String[].class.getName()});
    }
}
