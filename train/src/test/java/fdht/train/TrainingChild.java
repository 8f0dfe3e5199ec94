package fdht.train;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training run in a JVM of its own, for the tests that compare runs across JVMs ({@link
 * ChildJvm}): a small run on {@link RandomClips} (256 training, 64 validation and 64 test clips of
 * 4 frames x 48 inputs, 5 classes; batch 32, hidden 8, 4 epochs, one thread) in a given format,
 * optionally resumed from a checkpoint, optionally killed ({@code Runtime.halt}, no shutdown hooks,
 * as {@code kill -9}) once the log shows a given point, optionally after warming the JIT up on
 * another run first.
 *
 * <p>Arguments: {@code OUT FORMAT RESUME|- HALT WARM} where {@code HALT} is {@code -}, {@code
 * after:K} (right after epoch K's line, which follows its checkpoint) or {@code during:K} (half way
 * through epoch K); {@code WARM} is {@code warm} or {@code cold}.
 */
final class TrainingChild {
    static final int EPOCHS = 4;

    static TrainingConfig config(String format) {
        return new TrainingConfig(
                "random", 0, 256, 64, 64, format, "3", 8, null, EPOCHS, 0, 32, 5, 1, 0.01, 0, 1.0,
                0.05, "", "");
    }

    static TrainingRun.Data data() {
        return new TrainingRun.Data(
                new RandomClips(1, 256, 4, 48, 5),
                new RandomClips(2, 64, 4, 48, 5),
                new RandomClips(3, 64, 4, 48, 5));
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String format = args[1];
        Path resume = args[2].equals("-") ? null : Path.of(args[2]);
        String halt = args[3];
        if (args[4].equals("warm")) { // the same kernels, compiled by C2 before the run
            Path warm = Files.createTempDirectory(out.getParent(), "warm");
            TrainingConfig w =
                    new TrainingConfig(
                            "random", 0, 2048, 64, 0, format, "3", 8, null, 3, 0, 32, 9, 1, 0.01, 0,
                            1.0, 0.05, "", "");
            TrainingRun.run(
                    w,
                    warm.resolve("w.safetensors"),
                    null,
                    new TrainingRun.Data(
                            new RandomClips(7, 2048, 4, 48, 5),
                            new RandomClips(8, 64, 4, 48, 5),
                            null),
                    "warm-up",
                    new PrintWriter(Writer.nullWriter()),
                    false);
        }
        PrintWriter log = new PrintWriter(new Halting(halt), true);
        TrainingRun.run(config(format), out, resume, data(), "child", log, false);
        System.out.println("child done");
    }

    /** Echoes the log to stdout and halts the JVM at the point {@code halt} names. */
    private static final class Halting extends Writer {
        private final String trigger;
        private final StringBuilder line = new StringBuilder();

        Halting(String halt) {
            if (halt.equals("-")) trigger = null;
            else if (halt.startsWith("after:"))
                trigger = "epoch " + halt.substring(6) + "/" + EPOCHS + ":";
            else if (halt.startsWith("during:"))
                trigger = "epoch " + halt.substring(7) + "/" + EPOCHS + "    128/256"; // progress
            else throw new IllegalArgumentException(halt);
        }

        @Override
        public void write(char[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] != '\n') {
                    line.append(b[i]);
                    continue;
                }
                System.out.println(line);
                if (trigger != null && line.toString().startsWith(trigger)) {
                    System.out.println("halting at: " + line);
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
                line.setLength(0);
            }
        }

        @Override
        public void flush() {
            System.out.flush();
        }

        @Override
        public void close() {}
    }
}
