package fdht.cli;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.Weights;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht soak}: streams frames through the bundled model (a new 6-frame clip state every clip,
 * the same workspace throughout) and prints heap and resident memory over time, to show both stay
 * flat. Not a test: run it by hand ({@code ./fdht soak --frames 1000000}).
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Stream frames through the bundled model, printing heap and native memory over time.")
final class SoakCommand implements Callable<Integer> {
    @Option(
            names = "--frames",
            defaultValue = "1000000",
            description = "frames to stream (default ${DEFAULT-VALUE})")
    long frames;

    @Option(
            names = "--every",
            defaultValue = "100000",
            description = "print every this many frames (default ${DEFAULT-VALUE})")
    long every;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (Arena arena = Arena.ofConfined()) {
            Lstm lstm = DefaultModel.load(arena);
            int n = lstm.inputSize();
            MemorySegment frame = Weights.floats(arena, n);
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < n; i++) Weights.set(frame, i, (float) (r.nextDouble() * 2 - 1));
            LstmState state = lstm.newState(1, arena);
            LstmWorkspace ws = lstm.newWorkspace(1, arena);
            out.printf(
                    "%12s %10s %12s %12s %12s%n",
                    "frames", "seconds", "frames/s", "heap MB", "RSS MB");
            long t0 = System.nanoTime();
            for (long f = 1; f <= frames; f++) {
                if (f % 6 == 1) state.reset();
                lstm.step(frame, 0, n, state, ws);
                if (f % every == 0 || f == frames) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    long heap =
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
                                    >> 20;
                    out.printf("%,12d %10.1f %,12.0f %12d %12d%n", f, s, f / s, heap, rssMb());
                    out.flush();
                }
            }
        }
        return 0;
    }

    private static long rssMb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:"))
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
        return -1;
    }
}
