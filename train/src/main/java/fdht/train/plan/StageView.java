package fdht.train.plan;

import fdht.layout.CompiledPlan;

/**
 * The addressing of one compiled stage as the backward kernels read it: the GEMM shape {@code P x C
 * x Q}, the input offset of every row and of every contracted index, and where the stage's packed
 * factor starts. Read from {@link CompiledPlan.Step} in one place ({@link #of}) so a change of the
 * step's accessors touches this file only.
 *
 * <p>The view of a stage is a permutation of its input (rows and contracted axes together are every
 * input axis once), so {@code rowBase[p] + contractedOffset[c]} visits each input element exactly
 * once: the input gradient is written, not accumulated.
 *
 * <p>Thread safety: immutable (the arrays are never written after construction).
 */
public record StageView(
        int p, int c, int q, int[] rowBase, int[] contractedOffset, long factorOffset) {

    /** The tables of {@code step}; checks that the view covers its input exactly once. */
    public static StageView of(CompiledPlan.Step step) {
        int p = step.p(), c = step.c();
        int[] rb = new int[p];
        int[] co = new int[c];
        for (int r = 0; r < p; r++) rb[r] = rowBase(step, r);
        for (int j = 0; j < c; j++) co[j] = contractedOffset(step, j);
        if ((long) p * c != step.stage().inputSize()) {
            throw new IllegalStateException(
                    "stage "
                            + (step.stage().index() + 1)
                            + " views "
                            + (long) p * c
                            + " elements of an input of "
                            + step.stage().inputSize()
                            + ": not a permutation");
        }
        return new StageView(p, c, step.q(), rb, co, step.factorOffset());
    }

    // the two accessors below are the only places that know how a Step stores its tables
    private static int rowBase(CompiledPlan.Step step, int r) {
        return step.rowBase(r);
    }

    private static int contractedOffset(CompiledPlan.Step step, int j) {
        return step.contractedOffset(j);
    }

    /** Floats of this stage's input. */
    public long inputSize() {
        return (long) p * c;
    }

    /** Floats of this stage's output. */
    public long outputSize() {
        return (long) p * q;
    }
}
