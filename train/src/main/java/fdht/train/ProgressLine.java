package fdht.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar (carriage return, terminal) or a line every tenth of an epoch (pipes, logs) for
 * {@link TrainingRun}. Not thread-safe.
 */
final class ProgressLine {
    private final PrintWriter out;
    private final boolean terminal;
    private final int epochs;
    private long lastNanos;
    private int lastTenth = -1;

    ProgressLine(PrintWriter out, boolean terminal, int epochs) {
        this.out = out;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    void update(int epoch, long done, long total, double loss, double acc, double seconds) {
        double rate = done / Math.max(seconds, 1e-9);
        double eta = (total - done) / Math.max(rate, 1e-9);
        String figures =
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d %6d/%d loss %.4f acc %5.1f%% %6.0f clips/s ETA %s",
                        epoch + 1,
                        epochs,
                        done,
                        total,
                        loss,
                        100 * acc,
                        rate,
                        time(eta));
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastNanos < 200_000_000L && done < total) return;
            lastNanos = now;
            int width = 24, filled = (int) (width * done / Math.max(1, total));
            out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + figures);
            out.flush();
        } else {
            int tenth = (int) (10 * done / Math.max(1, total));
            if (tenth != lastTenth && tenth < 10) {
                lastTenth = tenth;
                out.println(figures);
                out.flush();
            }
        }
    }

    void done() {
        if (terminal) out.println();
        lastTenth = -1;
    }

    static String time(double s) {
        long t = Math.round(s);
        return t >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
