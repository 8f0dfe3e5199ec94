package fdht.train;

import java.util.Locale;

/**
 * One line of a run's curve: after epoch {@code epoch} (1-based), the training loss and accuracy
 * (running means over the epoch's batches), the validation loss and accuracy (NaN without
 * validation clips), the epoch's seconds and the learning rate of its last update. Written as CSV
 * ({@link #HEADER}, {@link #toCsv}) beside the model and inside its checkpoint; {@link #parse}
 * reads a line back exactly (doubles as Java prints them). Immutable.
 */
public record EpochLine(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double valLoss,
        double valAccuracy,
        double seconds,
        double learningRate) {

    /** The CSV header of a curve. */
    public static final String HEADER =
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,learning_rate";

    /** This line as CSV, every double printed so that {@link #parse} gives it back exactly. */
    public String toCsv() {
        return String.format(
                Locale.ROOT,
                "%d,%s,%s,%s,%s,%s,%s",
                epoch,
                trainLoss,
                trainAccuracy,
                valLoss,
                valAccuracy,
                seconds,
                learningRate);
    }

    /**
     * A line of {@link #toCsv}; anything else is an {@link IllegalArgumentException} saying why.
     */
    public static EpochLine parse(String line) {
        String[] f = line.strip().split(",", -1);
        if (f.length != 7)
            throw new IllegalArgumentException(
                    "a curve line has 7 fields (" + HEADER + "), not " + f.length + ": " + line);
        try {
            return new EpochLine(
                    Integer.parseInt(f[0]),
                    Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a curve line holds a non-number: " + line, e);
        }
    }
}
