package fdht.jmh;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.model.Model;
import fdht.layout.ContractionPlan;
import fdht.layout.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * The bundled trained MFM-40 model ({@code cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors},
 * copied into the benchmarks jar by jmh/pom.xml): FDHT rank 4, {@code N_x} 4,096, {@code H} 128, a
 * 40-class head, clips of 8 frames. Loading it copies the resource to a temporary file and reads it
 * with {@link Model#load} (27 KB, milliseconds). Stateless; every method is safe from any thread.
 */
final class MfmModel {
    static final String RESOURCE = "/fdht/mfm40-fdht-r4.safetensors";
    static final int INPUT = 4096, HIDDEN = 128, CLASSES = 40, CLIP_FRAMES = 8;

    private MfmModel() {}

    /** The model, to be closed by the caller. */
    static Model load() {
        try (InputStream in = MfmModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null)
                throw new IllegalStateException(
                        "the bundled model " + RESOURCE + " is not in the benchmarks jar");
            Path tmp = Files.createTempFile("fdht-mfm40", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return Model.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled model: " + e.getMessage(), e);
        }
    }

    /** The plan one frame-step of the model's layer runs for {@code batch} rows. */
    static ContractionPlan plan(int batch) {
        try (Model m = load()) {
            return ((LayerFormat.Planned) m.format(0, 0)).plan(batch);
        }
    }

    /**
     * {@code rows} deterministic frames of {@value #INPUT} floats, pixel-like in [0, 1): exactly
     * that many bytes (the model API checks a clip segment's size).
     */
    static MemorySegment frames(long rows, Arena arena) {
        MemorySegment s =
                Weights.floats(arena, rows * INPUT).asSlice(0, rows * INPUT * Float.BYTES);
        SplittableRandom r = new SplittableRandom(17);
        for (long e = 0; e < rows * INPUT; e++) Weights.set(s, e, (float) r.nextDouble());
        return s;
    }
}
