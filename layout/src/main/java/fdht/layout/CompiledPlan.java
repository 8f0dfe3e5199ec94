package fdht.layout;

import fdht.layout.internal.PlanTables;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A contraction plan bound to its weights, ready for the kernels: each stage's factor packed as a
 * dense {@code C x Q} block in one native segment (64-byte aligned per stage), plus the addressing
 * tables that realise the stage's permuted view: the input offset of every row ({@link
 * Step#rowBase}) and of every contracted index ({@link Step#contractedOffset}); the kernels read
 * the tables themselves through {@link PlanTables}.
 *
 * <p>The permutation between stages is folded into these tables, so no stage makes a separate
 * transposition pass: the CPU counterpart of the accelerator reading the previous stage's output
 * "already transformed". Immutable and safe to share between threads. Costs the packed factors in
 * native memory and about 4 bytes per row per stage on the heap.
 */
public final class CompiledPlan {
    static {
        // the raw tables go to the kernels through fdht.layout.internal, exported to fdht alone
        PlanTables.grant(
                new PlanTables.Access() {
                    @Override
                    public int[] rowBaseTable(Step step) {
                        return step.rowBase;
                    }

                    @Override
                    public int[] contractedOffsetTable(Step step) {
                        return step.contractedOffset;
                    }

                    @Override
                    public float[] factorArray(CompiledPlan plan) {
                        return plan.factorArray;
                    }
                });
    }

    /**
     * One executable stage: {@code out[p*q + k] = sum_c in[rowBase(p) + contractedOffset(c)] *
     * F[c*q + k]}, where {@code F} starts at float {@link #factorOffset()} of {@link #factors()}.
     *
     * <p>Thread safety: Immutable and thread-safe; its tables are never handed out for writing.
     */
    public static final class Step {
        private final Stage stage;
        private final int q; // cached: Stage.q() walks the axis list
        private final long
                inputSize; // cached too: walking the list per call allocates an iterator unless C2
        // inlines it
        private final int[] rowBase;
        private final int[] contractedOffset;
        private final long factorOffset;

        Step(Stage stage, int[] rowBase, int[] contractedOffset, long factorOffset) {
            this.stage = stage;
            this.q = stage.q();
            this.inputSize = stage.inputSize();
            this.rowBase = rowBase;
            this.contractedOffset = contractedOffset;
            this.factorOffset = factorOffset;
        }

        public Stage stage() {
            return stage;
        }

        /** P, rows passed through. */
        public int p() {
            return rowBase.length;
        }

        /** C, the contracted extent (rows of F). */
        public int c() {
            return contractedOffset.length;
        }

        /** Q, the produced extent (columns of F). */
        public int q() {
            return q;
        }

        /** Floats of this stage's input tensor, {@code Stage.inputSize()}. */
        public long inputSize() {
            return inputSize;
        }

        /** Float index of this stage's F in {@link CompiledPlan#factors()}. */
        public long factorOffset() {
            return factorOffset;
        }

        /** Input offset of row {@code r}, {@code 0 <= r < P}. */
        public int rowBase(int r) {
            return rowBase[r];
        }

        /**
         * Input offset of contracted index {@code j}, {@code 0 <= j < C}, relative to its row's
         * base.
         */
        public int contractedOffset(int j) {
            return contractedOffset[j];
        }

        @Override
        public String toString() {
            return "step " + (stage.index() + 1) + " " + p() + " x " + c() + " x " + q;
        }
    }

    private final ContractionPlan plan;
    private final MemorySegment factors;
    private final float[] factorArray;
    private final List<Step> steps;
    private final int[] resultSource; // null when the last stage writes y directly
    // sizes computed once: walking the axis lists per call allocated iterators on the hot path
    private final long inputSize;
    private final long resultSize;
    private final long workSize;

    private CompiledPlan(
            ContractionPlan plan, MemorySegment factors, List<Step> steps, int[] resultSource) {
        this.plan = plan;
        this.factors = factors;
        this.factorArray = factors.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        this.steps = List.copyOf(steps);
        this.resultSource = resultSource;
        this.inputSize = plan.inputSize();
        this.resultSize = plan.resultSize();
        this.workSize = plan.maxIntermediate();
    }

    /**
     * Packs {@code weights} for {@code plan}; factor memory comes from {@code arena}. The weights
     * must be of the plan's own format (same kind, factors and ranks).
     */
    public static CompiledPlan compile(ContractionPlan plan, PlanFactors weights, Arena arena) {
        MatrixFormat want = plan.format(), got = weights.format();
        if (!want.kind().equals(got.kind())) {
            throw new IllegalArgumentException(
                    "the plan contracts an "
                            + want.kind()
                            + " matrix but the weights are "
                            + got.kind()
                            + " ("
                            + got
                            + ")");
        }
        if (!want.equals(got)) {
            throw new IllegalArgumentException(
                    "the weights' format " + got + " is not the plan's " + want);
        }
        long total = 0;
        long[] offsets = new long[plan.stages().size()];
        for (Stage s : plan.stages()) {
            offsets[s.index()] = total;
            total += ((long) s.c() * s.q() + 15L) & ~15L;
        }
        MemorySegment factors = Weights.floats(arena, total);
        List<Step> steps = new ArrayList<>();
        for (Stage s : plan.stages()) {
            if (s.inputSize() > Integer.MAX_VALUE - Weights.SLACK_FLOATS
                    || s.outputSize() > Integer.MAX_VALUE - Weights.SLACK_FLOATS) {
                throw new IllegalArgumentException(
                        "stage "
                                + (s.index() + 1)
                                + " of "
                                + plan.format()
                                + " at batch "
                                + plan.batch()
                                + " needs an intermediate of more than 2^31 floats");
            }
            pack(s, weights, factors, offsets[s.index()]);
            int[] rowBase = Stage.offsets(s.rows(), s.inputStrides(s.rows()));
            int[] contractedOffset = Stage.offsets(s.contracted(), s.inputStrides(s.contracted()));
            steps.add(new Step(s, rowBase, contractedOffset, offsets[s.index()]));
        }
        int[] resultSource =
                plan.finalOrderIsResult()
                        ? null
                        : Stage.offsets(
                                plan.resultAxes(),
                                Stage.strides(plan.finalAxes(), plan.resultAxes()));
        return new CompiledPlan(plan, factors.asReadOnly(), steps, resultSource);
    }

    private static void pack(Stage s, PlanFactors w, MemorySegment dst, long at) {
        int[] cSizes = sizes(s.contracted()), qSizes = sizes(s.produced());
        int[] ci = new int[cSizes.length], qi = new int[qSizes.length];
        int c = s.c(), q = s.q();
        for (int cc = 0; cc < c; cc++) {
            unflatten(cc, cSizes, ci);
            for (int qq = 0; qq < q; qq++) {
                unflatten(qq, qSizes, qi);
                Weights.set(dst, at + (long) cc * q + qq, w.factor(s, ci, qi));
            }
        }
    }

    static int[] sizes(List<Axis> axes) {
        int[] s = new int[axes.size()];
        for (int i = 0; i < s.length; i++) s[i] = axes.get(i).size();
        return s;
    }

    static void unflatten(int flat, int[] sizes, int[] out) {
        for (int a = sizes.length - 1; a >= 0; a--) {
            out[a] = flat % sizes[a];
            flat /= sizes[a];
        }
    }

    public ContractionPlan plan() {
        return plan;
    }

    public List<Step> steps() {
        return steps;
    }

    /** The packed factors of all stages, read-only. */
    public MemorySegment factors() {
        return factors;
    }

    public int batch() {
        return plan.batch();
    }

    /** The number of stages. */
    public int stageCount() {
        return steps.size();
    }

    public Step step(int s) {
        return steps.get(s);
    }

    /** Floats of input per call: {@code batch * prod n_k}. */
    public long inputSize() {
        return inputSize;
    }

    /** Floats of output per call: {@code batch * prod m_k}. */
    public long resultSize() {
        return resultSize;
    }

    /** Floats each of the two ping-pong work buffers must hold. */
    public long workSize() {
        return workSize;
    }

    /**
     * For every element of {@code y} (row-major {@code [b][i_1..i_d]}), its index in the last
     * stage's output; null when the last stage already writes in {@code y}'s order.
     */
    public int[] resultSource() {
        return resultSource == null ? null : resultSource.clone();
    }

    /** Same as {@link #resultSource()} without the copy, for executors. */
    public int resultSourceAt(int e) {
        return resultSource[e];
    }

    public boolean lastStageWritesResult() {
        return resultSource == null;
    }
}
