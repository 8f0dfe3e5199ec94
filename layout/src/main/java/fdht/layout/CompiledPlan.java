package fdht.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A contraction plan bound to its weights, ready for the kernels: each stage's factor packed as
 * a dense {@code C x Q} block in one native segment (64-byte aligned per stage), plus the
 * addressing tables that realise the stage's permuted view: the input offset of every row
 * ({@link Step#rowBase}) and of every contracted index ({@link Step#contractedOffset}).
 *
 * <p>The permutation between stages is folded into these tables, so no stage makes a separate
 * transposition pass: the CPU counterpart of the accelerator reading the previous stage's
 * output "already transformed". Immutable and safe to share between threads. Costs the
 * packed factors in native memory and about 4 bytes per row per stage on the heap.
 */
public final class CompiledPlan {
    /**
     * One executable stage: {@code out[p*q + k] = sum_c in[rowBase[p] + contractedOffset[c]] * F[c*q + k]}.
     *
     * @param factorOffset float index of F in {@link #factors()}
     */
    public record Step(Stage stage, int p, int c, int q, int[] rowBase, int[] contractedOffset, long factorOffset) {}

    private final ContractionPlan plan;
    private final MemorySegment factors;
    private final List<Step> steps;
    private final int[] resultSource; // null when the last stage writes y directly
    // sizes computed once: walking the axis lists per call allocated iterators on the hot path
    private final long inputSize;
    private final long resultSize;
    private final long workSize;

    private CompiledPlan(ContractionPlan plan, MemorySegment factors, List<Step> steps, int[] resultSource) {
        this.plan = plan;
        this.factors = factors;
        this.steps = List.copyOf(steps);
        this.resultSource = resultSource;
        this.inputSize = plan.inputSize();
        this.resultSize = plan.resultSize();
        this.workSize = plan.maxIntermediate();
    }

    /** Packs {@code weights} for {@code plan}; factor memory comes from {@code arena}. */
    public static CompiledPlan compile(ContractionPlan plan, PlanFactors weights, Arena arena) {
        long total = 0;
        long[] offsets = new long[plan.stages().size()];
        for (Stage s : plan.stages()) {
            offsets[s.index()] = total;
            total += ((long) s.c() * s.q() + 15L) & ~15L;
        }
        MemorySegment factors = Weights.floats(arena, total);
        List<Step> steps = new ArrayList<>();
        for (Stage s : plan.stages()) {
            if (s.inputSize() > Integer.MAX_VALUE - Weights.SLACK_FLOATS || s.outputSize() > Integer.MAX_VALUE - Weights.SLACK_FLOATS) {
                throw new IllegalArgumentException("stage " + (s.index() + 1) + " of " + plan.format() + " at batch " + plan.batch()
                        + " needs an intermediate of more than 2^31 floats");
            }
            pack(s, weights, factors, offsets[s.index()]);
            steps.add(new Step(s, (int) s.p(), s.c(), s.q(), offsetsOf(s.rows(), s), offsetsOf(s.contracted(), s), offsets[s.index()]));
        }
        return new CompiledPlan(plan, factors.asReadOnly(), steps, plan.finalOrderIsResult() ? null : resultSource(plan));
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

    /** Input offset of every multi-index over {@code axes} (row-major), given the stage's input strides. */
    private static int[] offsetsOf(List<Axis> axes, Stage s) {
        long[] strides = s.inputStrides(axes);
        int[] sz = sizes(axes);
        long count = Stage.product(axes);
        int[] out = new int[(int) count];
        int[] idx = new int[sz.length];
        long off = 0;
        for (int e = 0; e < count; e++) {
            out[e] = (int) off;
            // odometer step: bump the last axis, carry leftwards
            for (int a = sz.length - 1; a >= 0; a--) {
                idx[a]++;
                off += strides[a];
                if (idx[a] < sz[a]) break;
                off -= strides[a] * sz[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    private static int[] resultSource(ContractionPlan plan) {
        List<Axis> fin = plan.finalAxes();
        List<Axis> res = plan.resultAxes();
        long[] finStrides = Stage.rowMajorStrides(fin);
        long[] strides = new long[res.size()];
        for (int a = 0; a < res.size(); a++) {
            int at = fin.indexOf(res.get(a));
            if (at < 0) throw new IllegalStateException("result axis " + res.get(a) + " missing from " + fin);
            strides[a] = finStrides[at];
        }
        int[] sz = sizes(res);
        int count = (int) plan.resultSize();
        int[] out = new int[count];
        int[] idx = new int[sz.length];
        long off = 0;
        for (int e = 0; e < count; e++) {
            out[e] = (int) off;
            for (int a = sz.length - 1; a >= 0; a--) {
                idx[a]++;
                off += strides[a];
                if (idx[a] < sz[a]) break;
                off -= strides[a] * sz[a];
                idx[a] = 0;
            }
        }
        return out;
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

    public ContractionPlan plan() { return plan; }
    public List<Step> steps() { return steps; }
    /** The packed factors of all stages, read-only. */
    public MemorySegment factors() { return factors; }
    public int batch() { return plan.batch(); }
    /** The number of stages. */
    public int stageCount() { return steps.size(); }
    public Step step(int s) { return steps.get(s); }
    /** Floats of input per call: {@code batch * prod n_k}. */
    public long inputSize() { return inputSize; }
    /** Floats of output per call: {@code batch * prod m_k}. */
    public long resultSize() { return resultSize; }
    /** Floats each of the two ping-pong work buffers must hold. */
    public long workSize() { return workSize; }

    /**
     * For every element of {@code y} (row-major {@code [b][i_1..i_d]}), its index in the last
     * stage's output; null when the last stage already writes in {@code y}'s order.
     */
    public int[] resultSource() { return resultSource == null ? null : resultSource.clone(); }

    /** Same as {@link #resultSource()} without the copy, for executors. */
    public int resultSourceAt(int e) { return resultSource[e]; }

    public boolean lastStageWritesResult() { return resultSource == null; }
}
