package fdht.train.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Clipping by global norm: when {@code ||g|| = sqrt(sum of all squared gradient entries)} exceeds
 * {@code max}, every gradient is scaled by {@code max / ||g||} (Pascanu et al. 2013). Stateless.
 */
public final class GradientClipping {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private GradientClipping() {}

    /** The global norm of {@code grads}, {@code sizes[i]} floats each. */
    public static double norm(MemorySegment[] grads, int[] sizes) {
        double s = 0;
        for (int i = 0; i < grads.length; i++) {
            for (int e = 0; e < sizes[i]; e++) {
                double g = grads[i].getAtIndex(F, e);
                s += g * g;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * The factor that clips gradients of global norm {@code norm} to {@code max}: {@code (float)
     * (max / norm)} when larger, else 1 (which leaves every float as it is). Non-finite norms
     * throw.
     */
    public static float scale(double norm, double max) {
        if (!Double.isFinite(norm))
            throw new IllegalStateException(
                    "gradient norm is " + norm + ": the loss diverged (lower the learning rate)");
        return norm > max ? (float) (max / norm) : 1f;
    }

    /**
     * Scales {@code grads} to norm {@code max} when larger; returns the norm before clipping.
     * Non-finite norms throw. (The trainer passes {@link #scale} to Adam instead, sparing this
     * pass.)
     */
    public static double clip(MemorySegment[] grads, int[] sizes, double max) {
        double n = norm(grads, sizes);
        float f = scale(n, max);
        if (f != 1f) {
            for (int i = 0; i < grads.length; i++) {
                for (int e = 0; e < sizes[i]; e++)
                    grads[i].setAtIndex(F, e, grads[i].getAtIndex(F, e) * f);
            }
        }
        return n;
    }
}
