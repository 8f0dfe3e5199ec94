package fdht.cli;

import fdht.accel.Workload;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * The embedded default model: an FDHT-LSTM with the LSTM-UCF shapes of DESIGN.md, its HT format
 * taken from the accelerator model's {@link Workload#lstmUcf()} (57,600 inputs, 256 hidden, row
 * factors 16x4x4x4, column factors 8x20x20x19, ranks 4), so {@code fdht simulate} times the very
 * plan the CPU kernels run on this model. Its weights are trained: protocol C's MFM-40-UCF regime
 * (docs/ACCURACY.md; 1,600 training clips of 240x240 frames; {@link #TRAINED_ON}), with MFM-40's
 * 40-class head and labels in the file ({@link #TRAINED_RUN}). {@link #build} makes a model of the
 * same format from seeds (random weights: the model bundled before protocol C, kept as a test
 * resource).
 */
final class DefaultModel {
    static final String RESOURCE = "/fdht/lstm-ucf-r4.safetensors";

    /** The protocol C run the bundled file is (a test checks it byte for byte). */
    static final String TRAINED_RUN = "docs/results/protocol-c/ucf/fdht-r4/lr0.03-s2.safetensors";

    /** How the bundled weights were chosen and what they score, for the demo's first line. */
    static final String TRAINED_ON =
            "protocol C, 1,600 clips; seed 2 of three at rate 0.03, the best validation accuracy"
                    + " (36.5%); 32.2% on 10,000 test clips";

    static final int INPUT = 57_600;
    static final int HIDDEN = 256;

    private DefaultModel() {}

    /** A model of the bundled one's format from seeds (weights 2022, bias 11): random weights. */
    static Lstm build(Arena arena) {
        Workload ucf = Workload.lstmUcf();
        if (ucf.inputSize() != INPUT || ucf.hidden() != HIDDEN)
            throw new IllegalStateException("Workload.lstmUcf() no longer has the demo's shapes");
        HtMatrix ht = HtMatrix.random((HtFormat) ucf.fdht().matrix(), 2022, arena);
        float[] bias = new float[4 * HIDDEN];
        SplittableRandom rnd = new SplittableRandom(11);
        for (int e = 0; e < bias.length; e++) bias[e] = (float) (rnd.nextDouble() * 0.2 - 0.1);
        return Lstm.fdht(ht, INPUT, bias, arena);
    }

    /** The bundled model file, read like any other. */
    static Lstm load(Arena arena) {
        return loadResource(RESOURCE, arena);
    }

    /** A model file bundled on the class path at {@code resource}, read like any other. */
    static Lstm loadResource(String resource, Arena arena) {
        try (InputStream in = DefaultModel.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new IllegalStateException(
                        "the bundled model " + resource + " is missing from the class path");
            Path tmp = Files.createTempFile("fdht-default", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return LstmModelFile.read(tmp, arena);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled model " + resource, e);
        }
    }
}
