package fdht.train.optim;

import fdht.layout.Weights;
import fdht.train.lstm.Parameter;
import fdht.train.plan.AdamUpdate;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.BackwardProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015) with optional decoupled weight decay (AdamW, Loshchilov and Hutter
 * 2019): {@code m = b1 m + (1-b1) g}, {@code v = b2 v + (1-b2) g^2}, {@code θ -= lr (m/(1-b1^t)) /
 * (sqrt(v/(1-b2^t)) + eps) + lr wd θ}. Weight decay applies only to parameters {@link #decays}
 * accepts (not biases). Costs two floats of state per parameter; {@link #step} streams the weights,
 * gradients and moments once, through {@link BackwardKernels#adam} (the Vector API twin when the
 * kernels are the vector ones: the same bits), and allocates a record per parameter. Its whole
 * state is the moments and the step count, which a checkpoint saves and restores ({@link
 * #firstMoment}, {@link #secondMoment}, {@link #restoreSteps}). Not thread-safe.
 */
public final class Adam {
    private final List<Parameter> parameters;
    private final MemorySegment[] m;
    private final MemorySegment[] v;
    private final double beta1, beta2, eps, weightDecay;
    private final BackwardKernels kernels = BackwardProvider.kernels();
    private long t;

    public Adam(
            List<Parameter> parameters,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            Arena arena) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
            throw new IllegalArgumentException(
                    "Adam needs 0 <= beta < 1, eps > 0, weight decay >= 0; got "
                            + beta1
                            + ", "
                            + beta2
                            + ", "
                            + eps
                            + ", "
                            + weightDecay);
        }
        this.parameters = List.copyOf(parameters);
        this.m = new MemorySegment[parameters.size()];
        this.v = new MemorySegment[parameters.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Weights.floats(arena, parameters.get(i).size());
            v[i] = Weights.floats(arena, parameters.get(i).size());
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** The usual defaults: 0.9, 0.999, 1e-8. */
    public static Adam of(List<Parameter> parameters, double weightDecay, Arena arena) {
        return new Adam(parameters, 0.9, 0.999, 1e-8, weightDecay, arena);
    }

    /** Biases are not decayed (names ending in "bias"). */
    static boolean decays(Parameter p) {
        return !p.name().endsWith("bias");
    }

    /** One update with learning rate {@code lr} from {@code grads} (indexed as the parameters). */
    public void step(MemorySegment[] grads, double lr) {
        step(grads, lr, 1f);
    }

    /**
     * One update from {@code grads} scaled by {@code gradScale} ({@link GradientClipping#scale}:
     * the same bits as scaling the gradients first, without a pass over them); {@code grads} are
     * only read.
     */
    public void step(MemorySegment[] grads, double lr, float gradScale) {
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < m.length; i++) {
            Parameter p = parameters.get(i);
            double wd = decays(p) ? weightDecay : 0;
            AdamUpdate u = new AdamUpdate(beta1, beta2, c1, c2, lr, eps, wd, gradScale);
            kernels.adam(u, p.value(), grads[i], m[i], v[i], 0, p.size());
        }
    }

    /** Updates taken so far. */
    public long steps() {
        return t;
    }

    /**
     * The first moment {@code m} of parameter {@code i} (native floats, written in place by {@link
     * #step}): a checkpoint saves it and writes it back.
     */
    public MemorySegment firstMoment(int i) {
        return m[i];
    }

    /** The second moment {@code v} of parameter {@code i}, as {@link #firstMoment}. */
    public MemorySegment secondMoment(int i) {
        return v[i];
    }

    /**
     * Continues after {@code steps} updates (the bias corrections depend on it), once the moments
     * were written back from a checkpoint.
     */
    public void restoreSteps(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps " + steps + " is negative");
        t = steps;
    }
}
