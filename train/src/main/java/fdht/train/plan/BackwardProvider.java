package fdht.train.plan;

import fdht.kernels.KernelProvider;

/**
 * Picks the {@link BackwardKernels} of this JVM once: the Vector API twin when the forward kernels
 * ({@link KernelProvider}) are the vector ones, the scalar reference otherwise, so one run never
 * mixes the two families. The vector class is loaded reflectively, after that check.
 *
 * <p>Thread safety: the choice is made at class initialisation; thread-safe.
 */
public final class BackwardProvider {
    private static final BackwardKernels ACTIVE = choose();

    private BackwardProvider() {}

    /** The backward kernels chosen for this JVM. */
    public static BackwardKernels kernels() {
        return ACTIVE;
    }

    private static BackwardKernels choose() {
        if (!KernelProvider.kernels().name().startsWith("vector")) return ScalarBackward.INSTANCE;
        try {
            return (BackwardKernels)
                    Class.forName("fdht.train.vector.VectorBackward")
                            .getField("INSTANCE")
                            .get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException(
                    "the forward kernels are vector but the vector backward kernels failed to load: "
                            + e,
                    e);
        }
    }
}
