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
 * plan the CPU kernels run on this model; deterministic weights, shipped as the model file {@link
 * #RESOURCE}. {@link #build} makes the same model from its seeds; a test checks that the bundled
 * file still matches it.
 */
final class DefaultModel {
    static final String RESOURCE = "/fdht/lstm-ucf-r4.safetensors";
    static final int INPUT = 57_600;
    static final int HIDDEN = 256;

    private DefaultModel() {}

    /** The model from its seeds (weights 2022, bias 11). */
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

    /**
     * Regenerates the bundled file: {@code java -cp ... fdht.cli.DefaultModel
     * cli/src/main/resources/fdht/lstm-ucf-r4.safetensors}.
     */
    public static void main(String[] args) {
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.write(build(arena), Path.of(args[0]));
        }
    }
}
