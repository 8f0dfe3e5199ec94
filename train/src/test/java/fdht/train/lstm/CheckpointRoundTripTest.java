package fdht.train.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse path of a checkpoint: the model file the trainer writes, read back as {@code fdht
 * infer} and {@code fdht eval} read it ({@link LstmModelFile#readStack}), gives the logits the
 * trainer's own forward pass computed, for every format (a gate order, a head or a dense split that
 * the writer got wrong would show here even where the trainer's gradients are right). Dense is
 * written as a PyTorch state dict and read back as {@code fdht convert --from-pytorch} reads it.
 */
class CheckpointRoundTripTest {
    static final int N = BpttGradientProperties.N,
            H = BpttGradientProperties.H,
            C = BpttGradientProperties.C;

    @TempDir Path dir;

    @Test
    void aWrittenModelScoresAsTheTrainerComputed() {
        int batch = 3, frames = 4;
        for (int which = 0; which < BpttGradientProperties.KINDS; which++) {
            try (Arena arena = Arena.ofConfined()) {
                TrainableLstm model =
                        TrainableLstm.initial(
                                BpttGradientProperties.kind(which, 2), C, 5 + which, arena);
                // weights away from the init, every bias non-zero, so no gate or bias can hide
                // behind a zero
                SplittableRandom r = new SplittableRandom(17 + which);
                BpttGradientProperties.randomise(model, r);
                float[] x = new float[batch * frames * N];
                for (int e = 0; e < x.length; e++) x[e] = (float) (r.nextDouble() * 2 - 1);
                MemorySegment clips = Weights.copyOf(arena, x);
                Bptt bptt = new Bptt(model, batch, frames, arena);
                bptt.forward(clips, new int[batch], 1.0, KernelProvider.kernels());

                Path file = dir.resolve("m" + which + ".safetensors");
                model.write(file);
                // dense is written as a PyTorch state dict, which the model file reader reads too
                LstmStack read = LstmModelFile.readStack(file, arena);
                MemorySegment
                        out = Weights.floats(arena, (long) batch * frames * read.outputSize()),
                        logits = Weights.floats(arena, (long) batch * C);
                read.run(clips, frames, read.newWorkspace(batch, frames, arena), out, logits);
                // each logit sums H head products of |h| < 1 plus a bias, after a cell that sums N
                // + H products a frame
                float[] hw = model.headWeight().toArray();
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < C; j++) {
                        double scale = Math.abs(model.headBias().toArray()[j]);
                        for (int u = 0; u < H; u++) scale += Math.abs(hw[j * H + u]);
                        assertEquals(
                                bptt.logit(b, j),
                                Weights.get(logits, (long) b * C + j),
                                1e-5 * (N + H) * frames * scale,
                                "format "
                                        + which
                                        + " ("
                                        + model.describe()
                                        + "), clip "
                                        + b
                                        + ", class "
                                        + j);
                    }
                }
            }
        }
    }
}
