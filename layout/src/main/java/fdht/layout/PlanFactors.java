package fdht.layout;

/**
 * Weights a {@link CompiledPlan} packs: the value of stage factor {@code F[c][q]} given the axis indices.
 *
 * <p>Thread safety: Implementations must be thread-safe (HtMatrix and TtMatrix are immutable).
 */
public interface PlanFactors {
    /**
     * @param stage the stage
     * @param c     index of each contracted axis, in {@code stage.contracted()} order
     * @param q     index of each produced axis, in {@code stage.produced()} order
     */
    float factor(Stage stage, int[] c, int[] q);
}
