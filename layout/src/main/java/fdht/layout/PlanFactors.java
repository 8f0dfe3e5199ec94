package fdht.layout;

import java.lang.foreign.Arena;

/**
 * Weights a {@link CompiledPlan} packs: the value of stage factor {@code F[c][q]} given the axis
 * indices, over node tensors of the format's layout ({@link HtMatrix}, {@link TtMatrix}).
 *
 * <p>Thread safety: Implementations must be thread-safe (HtMatrix and TtMatrix are immutable).
 */
public interface PlanFactors {
    /**
     * The weights of {@code format} from its node tensors ({@link MatrixFormat#nodeShape} each,
     * row-major), copied into {@code arena}: an {@link HtMatrix} or a {@link TtMatrix}.
     */
    static PlanFactors of(MatrixFormat format, float[][] nodes, Arena arena) {
        return switch (format) {
            case HtFormat f -> HtMatrix.of(f, nodes, arena);
            case TtFormat f -> TtMatrix.of(f, nodes, arena);
        };
    }

    /**
     * Deterministic random weights of {@code format} ({@link HtMatrix#random} or {@link
     * TtMatrix#random}: entries of {@code W} of variance about {@code 1/N}).
     */
    static PlanFactors random(MatrixFormat format, long seed, Arena arena) {
        return switch (format) {
            case HtFormat f -> HtMatrix.random(f, seed, arena);
            case TtFormat f -> TtMatrix.random(f, seed, arena);
        };
    }

    /**
     * The format these weights are stored in; a plan compiles only against weights of its own
     * format.
     */
    MatrixFormat format();

    /** The node tensors copied to the heap, in the layout {@link #of} takes. */
    float[][] toArrays();

    /**
     * @param stage the stage
     * @param c index of each contracted axis, in {@code stage.contracted()} order
     * @param q index of each produced axis, in {@code stage.produced()} order
     */
    float factor(Stage stage, int[] c, int[] q);
}
