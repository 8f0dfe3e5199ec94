package fdht.layout;

/**
 * What one walk of a {@link CompiledPlan} does at each stage, plugged into {@link PlanWalker}: the
 * float kernels, the fixed-point twin, the accelerator's functional model and its error bound each
 * implement it over their own kind of buffer. The walker decides which buffer every stage reads and
 * writes; the operation maps the four {@link PlanBuffer}s to its own storage.
 *
 * <p>Thread safety: Up to the implementation; the walker calls it from the calling thread only.
 */
public interface StageOperation {
    /**
     * Runs {@code step}: reads its input from {@code from} through the step's address tables and
     * writes its {@code P x Q} output, row-major, to {@code to}.
     */
    void stage(CompiledPlan.Step step, PlanBuffer from, PlanBuffer to);

    /**
     * Called once after the last stage when its output, in {@code from}, is not yet in the result's
     * order: element {@code e} of {@link PlanBuffer#RESULT} is element {@link
     * CompiledPlan#resultSourceAt(int) resultSourceAt(e)} of {@code from}.
     */
    void gather(PlanBuffer from);
}
