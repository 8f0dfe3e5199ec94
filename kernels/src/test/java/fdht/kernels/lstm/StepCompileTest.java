package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The FDHT step's kernels compile whole in a JVM that has also used heap and confined segments
 * (most applications do): C2 inlines every segment access of the lane kernels, the transposes and
 * the cell, none fails on its inlining node budget, checked on C2's own inlining report ({@code
 * -XX:+PrintInlining} for those classes) in a child JVM running {@link PollutedStep}; and the dense
 * kernels, which do pass the budget there, box nothing (0 bytes per round of steps). Why: the lane
 * micro-kernel once had 35 segment accesses, each expanded by C2 into bounds, session and
 * owner-thread checks; in such JVMs it passed the budget, one factor read per step became a call,
 * and the step ran 4x slower (docs/PERFORMANCE.md). No timing is asserted.
 */
class StepCompileTest {
    private static final Pattern ALLOCATED = Pattern.compile("allocated (\\S+) (\\d+)\\R");

    @Test
    void theStepsKernelsCompileWithinC2sInliningBudgetInAPollutedJvm()
            throws IOException, InterruptedException {
        assumeTrue(
                KernelProvider.kernels().name().startsWith("vector"),
                "the vector kernels are not in use in this run");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd =
                List.of(
                        java.toString(),
                        "--add-modules=jdk.incubator.vector",
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xmx512m",
                        "-XX:+UnlockDiagnosticVMOptions",
                        "-XX:CompileCommand=quiet",
                        "-XX:CompileCommand=PrintInlining,fdht.kernels.LanePlanStages::*",
                        "-XX:CompileCommand=PrintInlining,fdht.kernels.vector.VectorLane*::*",
                        "-XX:CompileCommand=PrintInlining,fdht.kernels.vector.VectorActivations::*",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PollutedStep.class.getName(),
                        "6");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(720, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + tail(out));
        assertTrue(out.contains("polluted steps done"), tail(out));
        // not vacuous: C2 did compile the micro-kernel and reported its inlining
        assertTrue(
                out.contains("jdk.internal.misc.ScopedMemoryAccess::loadFromMemorySegment"),
                "no inlining report of a kernel's vector loads:\n" + tail(out));
        // the dense kernels (dense and HT-on-W_x LSTMs, rows with tails) in the same JVM: C2 may
        // leave some of their calls uninlined there, but none that takes a vector, so nothing boxes
        // found anywhere in a line: C2's inlining report shares the child's stdout and may leave a
        // line of its own unfinished when the child prints (one write, so never split itself)
        List<String> reports =
                ALLOCATED.matcher(out).results().map(m -> m.group(1) + " " + m.group(2)).toList();
        List<String> allocating = reports.stream().filter(r -> !r.endsWith(" 0")).toList();
        assertEquals(6, reports.size(), reports + "\n" + tail(out));
        assertTrue(allocating.isEmpty(), () -> "bytes per 200 steps, at best: " + allocating);
        List<String> failed =
                out.lines().filter(l -> l.contains("NodeCountInliningCutoff")).toList();
        assertTrue(
                failed.isEmpty(),
                () ->
                        failed.size()
                                + " calls in fdht kernels not inlined for C2's node budget, e.g. "
                                + failed.get(0).strip());
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
