package fdht.layout;

/**
 * Walks a {@link CompiledPlan} stage by stage, the one place that decides which buffer each stage
 * reads and writes. Forward: stage 1 reads {@link PlanBuffer#INPUT} in place; the stages then
 * alternate between {@link PlanBuffer#PING} and {@link PlanBuffer#PONG}; the last writes {@link
 * PlanBuffer#RESULT} directly when its order already is the result's, else a final {@link
 * StageOperation#gather} puts it there. Backward retraces the same buffers in reverse. Allocates
 * nothing; costs one call per stage on top of the operation's work.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class PlanWalker {
    private PlanWalker() {}

    /** Runs every stage of {@code plan} in order, then the gather when the plan needs one. */
    public static void forward(CompiledPlan plan, StageOperation op) {
        int last = plan.stageCount() - 1;
        for (int s = 0; s <= last; s++) op.stage(plan.step(s), input(plan, s), output(plan, s));
        if (!plan.lastStageWritesResult()) op.gather(output(plan, last));
    }

    /**
     * Carries a gradient from {@link PlanBuffer#RESULT} back to {@link PlanBuffer#INPUT}: the
     * inverse of the gather when the plan has one, then every stage's adjoint from last to first,
     * each reading the buffer its forward stage wrote and writing the one it read.
     */
    public static void backward(CompiledPlan plan, StageAdjoint op) {
        int last = plan.stageCount() - 1;
        if (!plan.lastStageWritesResult()) op.scatter(output(plan, last));
        for (int s = last; s >= 0; s--) op.stage(plan.step(s), output(plan, s), input(plan, s));
    }

    /** The buffer stage {@code s} (0-based) reads. */
    public static PlanBuffer input(CompiledPlan plan, int s) {
        return s == 0 ? PlanBuffer.INPUT : output(plan, s - 1);
    }

    /** The buffer stage {@code s} (0-based) writes. */
    public static PlanBuffer output(CompiledPlan plan, int s) {
        if (s == plan.stageCount() - 1 && plan.lastStageWritesResult()) return PlanBuffer.RESULT;
        return (s & 1) == 0 ? PlanBuffer.PING : PlanBuffer.PONG;
    }
}
