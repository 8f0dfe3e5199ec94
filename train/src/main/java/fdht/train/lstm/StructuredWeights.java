package fdht.train.lstm;

import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.PlanFactors;
import fdht.layout.Weights;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.FactorPacking;
import fdht.train.plan.PlanTape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What FDHT, HT-input and TT training share: node tensors as parameters, the plan compiled for
 * batch 1 (its tables only: the factors it reads are packed here from the parameters at each {@link
 * #refresh}), and tapes that run it forward and backward over a batch in the lane layout ({@link
 * PlanTape}) and turn the factor gradient into node gradients once per batch.
 *
 * <p>Thread safety: tapes may run on several threads at once between refreshes.
 */
final class StructuredWeights {
    private final FactorPacking packing;
    private final List<Parameter> nodes;
    private final int firstParameter;
    private final IntFunction<ContractionPlan> planForBatch;
    private final PlanFactors initial;
    private final Arena arena;
    private final java.util.Map<Integer, Compiled> byBatch =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A plan and its packed factors, as a segment (the backward kernels read it) and as the heap
     * array the forward lane kernel reads its broadcast operands from ({@code
     * Kernels.contractLanes}); {@link #refresh} updates both.
     */
    private record Compiled(CompiledPlan plan, MemorySegment factors, float[] factorArray) {
        void mirror() {
            MemorySegment.copy(
                    factors, ValueLayout.JAVA_FLOAT, 0, factorArray, 0, factorArray.length);
        }
    }

    /** {@code initial} packs the tables' first factors (any weights of the format will do). */
    StructuredWeights(
            FactorPacking packing,
            List<Parameter> nodes,
            int firstParameter,
            IntFunction<ContractionPlan> planForBatch,
            PlanFactors initial,
            Arena arena) {
        this.packing = packing;
        this.nodes = nodes;
        this.firstParameter = firstParameter;
        this.planForBatch = planForBatch;
        this.initial = initial;
        this.arena = arena;
    }

    /**
     * One parameter per node of {@code packing}, named {@code prefix + (t + 1)}, starting from
     * {@code values[t]}.
     */
    static List<Parameter> nodeParameters(
            FactorPacking packing, String prefix, float[][] values, Arena arena) {
        List<Parameter> nodes = new ArrayList<>();
        for (int t = 0; t < packing.nodeCount(); t++) {
            Parameter p = Parameter.zeros(prefix + (t + 1), packing.nodeShape(t), arena);
            p.set(values[t]);
            nodes.add(p);
        }
        return nodes;
    }

    /**
     * The current values of {@code nodes}, one array each (what {@code HtMatrix.of} and {@code
     * TtMatrix.of} take).
     */
    static float[][] nodeArrays(List<Parameter> nodes) {
        float[][] v = new float[nodes.size()][];
        for (int t = 0; t < v.length; t++) v[t] = nodes.get(t).toArray();
        return v;
    }

    private MemorySegment[] nodeValues() {
        MemorySegment[] v = new MemorySegment[nodes.size()];
        for (int t = 0; t < v.length; t++) v[t] = nodes.get(t).value();
        return v;
    }

    private Compiled compiled(int batch) {
        return byBatch.computeIfAbsent(
                batch,
                b -> {
                    CompiledPlan plan = CompiledPlan.compile(planForBatch.apply(b), initial, arena);
                    MemorySegment f = PlanTape.factorBuffer(plan, arena);
                    packing.pack(plan, nodeValues(), f);
                    Compiled c =
                            new Compiled(
                                    plan,
                                    f,
                                    new float[Math.toIntExact(f.byteSize() / Float.BYTES)]);
                    c.mirror();
                    return c;
                });
    }

    void refresh() {
        MemorySegment[] v = nodeValues();
        for (Compiled c : byBatch.values()) {
            packing.pack(c.plan(), v, c.factors());
            c.mirror();
        }
    }

    /**
     * A tape over the batch-1 plan for {@code batch} rows in the lane layout of this JVM's kernels,
     * {@code frames} slots.
     */
    Tape tape(int batch, int frames, Arena tapeArena) {
        Compiled c = compiled(1);
        return new Tape(
                c,
                new PlanTape(c.plan(), batch, KernelProvider.kernels().lanes(), frames, tapeArena),
                PlanTape.factorBuffer(c.plan(), tapeArena));
    }

    final class Tape {
        final Compiled compiled;
        final PlanTape tape;
        final MemorySegment dFactors;
        private final long factorFloats;

        Tape(Compiled compiled, PlanTape tape, MemorySegment dFactors) {
            this.compiled = compiled;
            this.tape = tape;
            this.dFactors = dFactors;
            this.factorFloats = dFactors.byteSize() / Float.BYTES - Weights.SLACK_FLOATS;
        }

        void forward(int t, MemorySegment z, Kernels k) {
            tape.forward(t, compiled.factorArray(), z, 0, k);
        }

        void backward(int t, MemorySegment dz, boolean inputGradient, BackwardKernels bk) {
            tape.backward(t, compiled.factors(), dz, 0, inputGradient, dFactors, bk);
        }

        void finish(MemorySegment[] grads) {
            MemorySegment[] g = new MemorySegment[nodes.size()];
            for (int t = 0; t < g.length; t++) g[t] = grads[firstParameter + t];
            packing.unpack(compiled.plan(), nodeValues(), dFactors, g);
            dFactors.asSlice(0, factorFloats * Float.BYTES).fill((byte) 0);
        }
    }
}
