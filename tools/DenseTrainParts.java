import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.format.LayerFormat;
import fdht.layout.Weights;
import fdht.train.data.LabelledClips;
import fdht.train.data.MfmPart;
import fdht.train.data.MfmTask;
import fdht.train.data.MovingFashionMnist;
import fdht.train.lstm.Bptt;
import fdht.train.lstm.Parameter;
import fdht.train.lstm.TrainableLstm;
import fdht.train.optim.Adam;
import fdht.train.optim.GradientClipping;
import fdht.train.plan.BackwardKernels;
import fdht.train.plan.BackwardProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where a dense training batch's time goes (not part of CI): one thread, the shapes of {@code fdht
 * train --format dense} on MFM-40-UCF (57,600 inputs, hidden 256, batch 32, 8 frames) or MFM-40
 * ({@code --task mfm --hidden 128}). Times in one JVM, in thread CPU time (the machine may be
 * shared), the parts of an update the way {@code Trainer} takes it: generating the clips, zeroing
 * the gradients, {@code Bptt.run} (forward and backward), the gradient's norm and Adam's step
 * (which applies the clipping); then the kernels of
 * {@code Bptt.run} alone at the same shapes: the forward GEMM, the weight gradient ({@code
 * denseWeights}) and the {@code h} columns' input gradient ({@code denseInput}), each called once
 * per frame for all frames of a batch, and the weight gradient once over all frames (the frames'
 * rows as one batch of {@code frames x batch}, as the dense tape takes it). Prints the median of {@code --rounds} rounds after {@code --warmup} rounds (2), in ms per batch, and clips/s of the whole update. Run as {@code tools/dense_train_parts.sh [--task
 * mfm-ucf|mfm] [--hidden H] [--batch B] [--rounds N] [--warmup N]}.
 */
public class DenseTrainParts {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        MfmTask task = MfmTask.MFM_UCF;
        int hidden = 256, batch = 32, rounds = 5, warmup = 2;
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "--task" -> task = MfmTask.parse(args[a + 1]);
                case "--hidden" -> hidden = Integer.parseInt(args[a + 1]);
                case "--batch" -> batch = Integer.parseInt(args[a + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[a + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[a + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        Kernels k = KernelProvider.kernels();
        BackwardKernels bk = BackwardProvider.kernels();
        LabelledClips data = MovingFashionMnist.load(task, MfmPart.FIT, 0).take(4L * batch);
        int n = data.frameSize(), frames = data.frames(), width = n + hidden;
        Arena arena = Arena.ofShared();
        TrainableLstm model =
                TrainableLstm.initial(new LayerFormat.Dense(n, hidden), 40, 1, arena);
        List<Parameter> ps = model.parameters();
        int[] sizes = ps.stream().mapToInt(Parameter::size).toArray();
        Bptt bptt = new Bptt(model, batch, frames, arena);
        Adam adam = Adam.of(ps, 0, arena);
        MemorySegment clips = Weights.floats(arena, batch * data.clipFloats());
        int[] labels = new int[batch];
        // the kernels alone, on buffers of the tape's shapes
        MemorySegment w = ps.get(0).value(), dw = bptt.gradients()[0];
        // a clip batch's frames side by side, as the tape keeps them: [frame][batch][width]
        int rowsAll = frames * batch;
        MemorySegment xh = Weights.floats(arena, (long) rowsAll * width);
        for (long e = 0; e < (long) rowsAll * width; e++) Weights.set(xh, e, (float) Math.sin(e));
        MemorySegment z = Weights.floats(arena, 4L * rowsAll * hidden),
                dh = Weights.floats(arena, (long) batch * hidden);
        for (long e = 0; e < 4L * rowsAll * hidden; e++)
            Weights.set(z, e, (float) Math.cos(e) * 1e-3f);
        MemorySegment scratch =
                Weights.floats(arena, BackwardKernels.denseWeightsScratch(4 * hidden, rowsAll));
        System.out.printf(
                "# %s, dense LSTM W %dx%d, batch %d x %d frames, %s / %s, %s%n",
                task.title(),
                4 * hidden,
                width,
                batch,
                frames,
                k.name(),
                bk.name(),
                Runtime.version());
        String[] names = {
            "fill clips", "zero grads", "Bptt.run", "gradient norm", "Adam (clipped)", "update total",
            "  forward gemm", "  denseWeights", "  denseInput(h)", "  dW all frames"
        };
        double[][] ms = new double[names.length][rounds];
        for (int round = -warmup; round < rounds; round++) {
            double[] t = new double[names.length];
            long t0 = cpu();
            data.fill(batch * (long) Math.floorMod(round, 4), batch, clips, labels);
            long t1 = cpu();
            bptt.clearGradients();
            long t2 = cpu();
            bptt.run(clips, labels, 1.0 / batch, k, bk);
            long t3 = cpu();
            float clip = GradientClipping.scale(GradientClipping.norm(bptt.gradients(), sizes), 1);
            long t4 = cpu();
            adam.step(bptt.gradients(), 1e-4, clip);
            model.refresh();
            long t5 = cpu();
            t[0] = t1 - t0;
            t[1] = t2 - t1;
            t[2] = t3 - t2;
            t[3] = t4 - t3;
            t[4] = t5 - t4;
            t[5] = t5 - t0;
            long s = cpu();
            for (int f = 0; f < frames; f++) k.gemm(w, 0, 4 * hidden, width, xh, 0, z, 0, batch, false);
            long e1 = cpu();
            for (int f = 0; f < frames; f++)
                bk.denseWeights(
                        dw, 4 * hidden, width, 0, width, z, 0, xh, 0, width, batch, scratch);
            long e2 = cpu();
            for (int f = 0; f < frames; f++)
                bk.denseInput(w, 4 * hidden, width, n, hidden, z, 0, dh, 0, hidden, batch);
            long e3 = cpu();
            bk.denseWeights(dw, 4 * hidden, width, 0, width, z, 0, xh, 0, width, rowsAll, scratch);
            long e4 = cpu();
            t[6] = e1 - s;
            t[7] = e2 - e1;
            t[8] = e3 - e2;
            t[9] = e4 - e3;
            if (round >= 0) for (int p = 0; p < names.length; p++) ms[p][round] = t[p] / 1e6;
        }
        for (int p = 0; p < names.length; p++) {
            double[] v = ms[p].clone();
            Arrays.sort(v);
            System.out.printf(
                    "%-16s median %9.1f ms/batch  (min %9.1f, max %9.1f)%n",
                    names[p], v[v.length / 2], v[0], v[v.length - 1]);
        }
        // the roofline's roof, measured the same way: twelve independent FMA chains in registers
        double[] peak = new double[rounds];
        float sink = 0;
        for (int call = 0; call < 200; call++) sink += fmaChains(100_000); // compiled as a method
        for (int round = 0; round < rounds; round++) {
            long s = cpu();
            for (int call = 0; call < 20; call++) sink += fmaChains(1_000_000);
            long e = cpu();
            peak[round] = 2.0 * FloatVector.SPECIES_PREFERRED.length() * 12 * 20e6 / (e - s);
        }
        if (sink == 42f) System.out.print("");
        Arrays.sort(peak);
        double flop = 2.0 * 4 * hidden * width * batch * frames;
        System.out.printf(
                "FMA peak %.1f GFLOP/s (%d-bit); forward gemm %.1f, denseWeights %.1f, dW all frames %.1f GFLOP/s%n",
                peak[rounds / 2],
                FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                flop / median(ms[6]) / 1e6,
                flop / median(ms[7]) / 1e6,
                flop / median(ms[9]) / 1e6);
        double[] u = ms[5].clone();
        Arrays.sort(u);
        System.out.printf("update: %.2f clips/s of thread CPU time%n", batch / (u[u.length / 2] / 1e3));
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static float fmaChains(int n) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        FloatVector m = FloatVector.broadcast(s, 0.999f), c = FloatVector.broadcast(s, 0.001f);
        FloatVector a0 = FloatVector.broadcast(s, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < n; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }

    private static long cpu() {
        return CPU.getCurrentThreadCpuTime();
    }
}
