package fdht.train.optim;

/**
 * Linear warm-up to {@code peak} over {@code warmup} steps, then cosine decay to {@code peak *
 * floor} at {@code total} steps (Loshchilov and Hutter 2017, without restarts). Immutable.
 */
public record LearningRateSchedule(double peak, long warmup, long total, double floor) {
    public LearningRateSchedule {
        if (!(peak > 0) || warmup < 0 || total < 1 || !(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException(
                    "schedule needs peak > 0, warmup >= 0, total >= 1, 0 <= floor <= 1; got "
                            + peak
                            + ", "
                            + warmup
                            + ", "
                            + total
                            + ", "
                            + floor);
        }
    }

    /** The rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < warmup) return peak * (step + 1) / (double) warmup;
        double progress = Math.min(1.0, (step - warmup) / (double) Math.max(1, total - warmup));
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
