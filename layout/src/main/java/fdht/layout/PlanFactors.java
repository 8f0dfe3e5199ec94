package fdht.layout;

/**
 * Weights a {@link CompiledPlan} packs: the value of stage factor {@code F[c][q]} given the axis
 * indices.
 *
 * <p>Thread safety: Implementations must be thread-safe (HtMatrix and TtMatrix are immutable).
 */
public interface PlanFactors {
    /**
     * The format these weights are stored in; a plan compiles only against weights of its own
     * format.
     */
    MatrixFormat format();

    /**
     * @param stage the stage
     * @param c index of each contracted axis, in {@code stage.contracted()} order
     * @param q index of each produced axis, in {@code stage.produced()} order
     */
    float factor(Stage stage, int[] c, int[] q);
}
