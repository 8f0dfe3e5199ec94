package fdht.train.plan;

import fdht.layout.CompiledPlan;
import java.lang.foreign.MemorySegment;

/**
 * How a structured weight's node tensors become the packed stage factors of a compiled plan, and
 * how the factors' gradient flows back to the node tensors (the chain rule of the packing, fused
 * ancestors included). {@link HtPacking} for HT matrices, {@link TtPacking} for TT matrices; both
 * pack exactly what {@code CompiledPlan.compile} packs from an {@code HtMatrix} / {@code TtMatrix}
 * of the same tensors (a test holds them to it).
 *
 * <p>Node tensors are native float segments in the layout of the layout module's matrices. Costs
 * {@code O(sum C*Q*chain)} per call: once per optimiser step, not per time step. Implementations
 * are immutable and thread-safe.
 */
public sealed interface FactorPacking permits HtPacking, TtPacking {
    /** Number of node tensors (HT nodes or TT cores). */
    int nodeCount();

    /** Floats of node {@code t}. */
    int nodeSize(int t);

    /** Shape of node {@code t} as the model file stores it. */
    long[] nodeShape(int t);

    /**
     * Writes every stage's factor of {@code plan} into {@code factors} (laid out as {@code
     * plan.factors()}).
     */
    void pack(CompiledPlan plan, MemorySegment[] nodes, MemorySegment factors);

    /** Adds {@code dL/d node} to {@code dNodes[t]} given {@code dL/dF} in {@code dFactors}. */
    void unpack(
            CompiledPlan plan,
            MemorySegment[] nodes,
            MemorySegment dFactors,
            MemorySegment[] dNodes);

    static void unflatten(int flat, int[] sizes, int[] out) {
        for (int a = sizes.length - 1; a >= 0; a--) {
            out[a] = flat % sizes[a];
            flat /= sizes[a];
        }
    }

    static int[] sizes(java.util.List<fdht.layout.Axis> axes) {
        int[] s = new int[axes.size()];
        for (int i = 0; i < s.length; i++) s[i] = axes.get(i).size();
        return s;
    }
}
