package fdht.train.report;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.io.NpyFile;
import fdht.layout.io.SafetensorsWriter;
import fdht.train.lstm.Bptt;
import fdht.train.lstm.Parameter;
import fdht.train.lstm.TrainableLstm;
import fdht.train.plan.BackwardProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * For {@code tools/pytorch_gradcheck.py} (not CI): the gradient of the summed cross-entropy of a
 * model file on a labelled clip batch, as fdht's reverse mode computes it, written as safetensors
 * (one tensor per parameter, named as in the model file, plus {@code loss}). Usage: {@code
 * GradientDump MODEL CLIPS.npy LABELS.npy OUT.safetensors}. A command-line tool.
 */
public final class GradientDump {
    private GradientDump() {}

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: GradientDump MODEL CLIPS.npy LABELS.npy OUT.safetensors");
            System.exit(2);
        }
        try (Arena arena = Arena.ofConfined()) {
            NpyFile.Array clips = NpyFile.read(Path.of(args[1]), arena);
            NpyFile.Array labelArray = NpyFile.readInt64(Path.of(args[2]), arena);
            long[] s = clips.shape();
            int batch = Math.toIntExact(s[0]), frames = Math.toIntExact(s[1]);
            var lstm = LstmModelFile.read(Path.of(args[0]), arena);
            TrainableLstm model =
                    TrainableLstm.from(
                            lstm,
                            lstm.head()
                                    .orElseThrow(
                                            () ->
                                                    new IllegalArgumentException(
                                                            "the model has no head"))
                                    .classes(),
                            0,
                            arena);
            int[] labels = new int[batch];
            for (int b = 0; b < batch; b++)
                labels[b] = (int) labelArray.data().getAtIndex(ValueLayout.JAVA_LONG, b);
            Bptt bptt = new Bptt(model, batch, frames, arena);
            Bptt.Result r =
                    bptt.run(
                            clips.data(),
                            labels,
                            1.0,
                            KernelProvider.kernels(),
                            BackwardProvider.kernels());
            SafetensorsWriter w =
                    new SafetensorsWriter()
                            .add("loss", new long[] {1}, new float[] {(float) r.lossSum()});
            List<Parameter> ps = model.parameters();
            for (int i = 0; i < ps.size(); i++)
                w.add(
                        ps.get(i).name(),
                        ps.get(i).shape(),
                        bptt.gradients()[i].asSlice(0, (long) ps.get(i).size() * Float.BYTES));
            w.write(Path.of(args[3]));
            System.out.println(
                    "loss "
                            + r.lossSum()
                            + " over "
                            + batch
                            + " clips; gradients of "
                            + ps.size()
                            + " tensors written to "
                            + args[3]);
        }
    }
}
