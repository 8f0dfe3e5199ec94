package fdht.layout;

/**
 * The reverse-mode twin of {@link StageOperation}, plugged into {@link PlanWalker#backward}: the
 * walk carries a gradient from the result back to the input, stage by stage in reverse, through the
 * same buffers the forward walk used, so an implementation can keep each stage's forward input (its
 * tape) by stage index, as the trainer's {@code fdht.train.plan.PlanTape} does. For a stage {@code
 * out[p][q] = sum_c in[p][c] F[c][q]} the adjoint is {@code d_in[p][c] = sum_q d_out[p][q]
 * F[c][q]}, written back through the same address tables (and, for training, {@code d_F[c][q] +=
 * sum_p in[p][c] d_out[p][q]}).
 *
 * <p>Thread safety: Up to the implementation; the walker calls it from the calling thread only.
 */
public interface StageAdjoint {
    /**
     * Called once first when the forward walk gathered its result: element {@link
     * CompiledPlan#resultSourceAt(int) resultSourceAt(e)} of {@code to} gets element {@code e} of
     * the result's gradient in {@link PlanBuffer#RESULT} (a permutation, so every element of {@code
     * to} is written once).
     */
    void scatter(PlanBuffer to);

    /**
     * The adjoint of {@code step}: reads the gradient of its output, {@code P x Q} row-major, from
     * {@code from} and writes the gradient of its input to {@code to}, at the offsets of the step's
     * address tables (every input element is read once by the forward stage, so every element of
     * {@code to} is written once).
     */
    void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to);
}
