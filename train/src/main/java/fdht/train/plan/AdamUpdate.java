package fdht.train.plan;

/**
 * The constants of one Adam update of one parameter ({@link BackwardKernels#adam}): the moment
 * rates {@code beta1}, {@code beta2}, the bias corrections {@code c1 = 1 - beta1^t} and {@code c2 =
 * 1 - beta2^t} of step {@code t}, the learning rate, {@code eps}, the decoupled weight decay, and
 * the factor the gradient is scaled by first (clipping by global norm; 1 when it does not clip).
 *
 * <p>Thread safety: an immutable record.
 */
public record AdamUpdate(
        double beta1,
        double beta2,
        double c1,
        double c2,
        double learningRate,
        double eps,
        double weightDecay,
        float gradScale) {}
