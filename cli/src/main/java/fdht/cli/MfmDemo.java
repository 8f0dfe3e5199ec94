package fdht.cli;

import fdht.kernels.lstm.Lstm;
import fdht.train.data.FashionMnist;
import fdht.train.data.LabelledClips;
import fdht.train.data.MfmPart;
import fdht.train.data.MfmTask;
import fdht.train.data.MovingFashionMnist;
import fdht.train.data.Split;
import fdht.train.eval.ClassifierEvaluation;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;

/**
 * The part of {@code fdht demo} that runs trained models: the two MFM-40 models of protocol C that
 * ship on the class path (docs/ACCURACY.md says how each was trained and chosen), the FDHT-LSTM
 * {@link #RESOURCE} (1,312 LSTM weights) and the TT-LSTM as published {@link #TT_RESOURCE} (TT on
 * W_x, dense W_h: 67,648), each scored on MFM-40 test clips through the inference kernels, its
 * accuracy beside the time per clip. Without Fashion-MNIST installed it says how to get it and
 * scores nothing.
 */
final class MfmDemo {
    static final String RESOURCE = "/fdht/mfm40-fdht-r4.safetensors";
    static final String TT_RESOURCE = "/fdht/mfm40-tt-lstm-r4.safetensors";
    static final int CLIPS = 2000;

    private MfmDemo() {}

    /**
     * MFM-40-UCF test clips the bundled LSTM-UCF model is scored on (1.8 MB a clip, made 64 at a
     * time).
     */
    static final int UCF_CLIPS = 1000;

    /** The bundled LSTM-UCF model ({@link DefaultModel}) on MFM-40-UCF test clips. */
    private static void scoreUcf(PrintWriter out) {
        LabelledClips ucf =
                MovingFashionMnist.load(MfmTask.MFM_UCF, MfmPart.TEST, 0).take(UCF_CLIPS);
        try (Arena arena = Arena.ofShared()) {
            Lstm model = DefaultModel.load(arena);
            long t0 = System.nanoTime();
            ClassifierEvaluation.Result r = ClassifierEvaluation.evaluate(model, ucf, 64, 1);
            double ms = (System.nanoTime() - t0) / 1e6;
            out.printf(
                    "trained model %s (the LSTM-UCF model above): MFM-40-UCF test clips 0..%d (240x240, seed 0): %s; %.2f ms per clip with its drawing, batch 64, one thread%n",
                    DefaultModel.RESOURCE, UCF_CLIPS - 1, r, ms / UCF_CLIPS);
        }
    }

    static void print(PrintWriter out) {
        out.println();
        if (!Files.isDirectory(FashionMnist.defaultDirectory())) {
            out.println(
                    "trained models: skipped, Fashion-MNIST is not installed (apt-get install "
                            + FashionMnist.DEBIAN_PACKAGE
                            + ")");
            return;
        }
        LabelledClips test = MovingFashionMnist.load(Split.TEST, 0).take(CLIPS);
        scoreUcf(out);
        for (String resource : new String[] {RESOURCE, TT_RESOURCE}) {
            try (Arena arena = Arena.ofShared()) {
                Lstm model = DefaultModel.loadResource(resource, arena);
                long t0 = System.nanoTime();
                ClassifierEvaluation.Result r = ClassifierEvaluation.evaluate(model, test, 64, 1);
                double ms = (System.nanoTime() - t0) / 1e6;
                out.printf(
                        "trained model %s: %s, %,d parameters in the LSTM layer%n",
                        resource, model.describe(), model.parameterCount());
                out.printf(
                        "MFM-40 test clips 0..%d (seed 0): %s; %.2f ms per 8-frame clip, batch 64, one thread, JIT warm-up included%n",
                        CLIPS - 1, r, ms / CLIPS);
            }
        }
    }
}
