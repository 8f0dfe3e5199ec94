package fdht.train.lstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.KernelProvider;
import fdht.layout.Weights;
import fdht.train.optim.GradientClipping;
import fdht.train.plan.BackwardProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * One plain gradient step along {@code -g} with a small step lowers the loss of a fixed batch, for
 * every format: the gradient points downhill through the whole training path (tape, backward
 * kernels, packing chain rule, optimiser plumbing of parameters and refresh).
 */
class SgdStepProperties {
    @Property(tries = 40)
    void oneStepLowersTheLoss(
            @ForAll @IntRange(min = 0, max = BpttGradientProperties.KINDS - 1) int which,
            @ForAll @IntRange(min = 1, max = 3) int rank,
            @ForAll @IntRange(min = 1, max = 4) int batch,
            @ForAll long seed) {
        int frames = 3;
        try (Arena arena = Arena.ofConfined()) {
            TrainableLstm model =
                    TrainableLstm.initial(
                            BpttGradientProperties.kind(which, rank),
                            BpttGradientProperties.C,
                            seed,
                            arena);
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[batch * frames * BpttGradientProperties.N];
            for (int e = 0; e < x.length; e++) x[e] = (float) r.nextDouble();
            int[] labels = new int[batch];
            for (int b = 0; b < batch; b++) labels[b] = r.nextInt(BpttGradientProperties.C);
            MemorySegment clips = Weights.copyOf(arena, x);
            Bptt bptt = new Bptt(model, batch, frames, arena);
            double before =
                    bptt.run(
                                    clips,
                                    labels,
                                    1.0,
                                    KernelProvider.kernels(),
                                    BackwardProvider.kernels())
                            .lossSum();
            List<Parameter> ps = model.parameters();
            int[] sizes = ps.stream().mapToInt(Parameter::size).toArray();
            double norm = GradientClipping.norm(bptt.gradients(), sizes);
            double eta = 1e-2 / Math.max(1, norm);
            for (int i = 0; i < ps.size(); i++) {
                MemorySegment v = ps.get(i).value(), g = bptt.gradients()[i];
                for (int e = 0; e < sizes[i]; e++) {
                    v.setAtIndex(
                            ValueLayout.JAVA_FLOAT,
                            e,
                            (float)
                                    (v.getAtIndex(ValueLayout.JAVA_FLOAT, e)
                                            - eta * g.getAtIndex(ValueLayout.JAVA_FLOAT, e)));
                }
            }
            model.refresh();
            bptt.clearGradients();
            double after =
                    bptt.run(
                                    clips,
                                    labels,
                                    1.0,
                                    KernelProvider.kernels(),
                                    BackwardProvider.kernels())
                            .lossSum();
            // first order: the loss falls by about eta ||g||^2; ask for a quarter of that
            assertTrue(
                    after < before - 0.25 * eta * norm * norm,
                    "loss " + before + " -> " + after + ", |g| " + norm);
        }
    }
}
