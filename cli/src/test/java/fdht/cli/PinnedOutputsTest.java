package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model files already written read and run exactly as when they were pinned: the SHA-256 of every
 * output and logit of a fixed batch of clips through each model, per kernels (a vector width sums
 * in its own order, so each has its own digest), against {@code pinned/outputs.properties}. The
 * models: the LSTM-UCF one bundled before protocol C's (seeded random weights), the MFM-40 model
 * bundled before protocol C (kept as a test resource: a trained model file of that time), one-layer
 * HT-input and TT files of docs/results, and 2-layer bidirectional stacks with heads in each
 * planned format (converted from one random {@code nn.LSTM}). A batch of 19 rows runs whole lane
 * chunks and left-over rows at every width. Kernels without a pinned digest are skipped, saying so;
 * {@code -Dfdht.pinWrite=FILE} appends the digests to FILE instead of checking (how the table was
 * made, before the layer-format refactor).
 */
class PinnedOutputsTest {
    private static final int BATCH = 19;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "resource:/pinned/mfm40-fdht-r4-protocol-b.safetensors",
                "resource:/pinned/lstm-ucf-r4-random.safetensors",
                "file:../docs/results/accuracy/ht-input-r4-s1.safetensors",
                "file:../docs/results/accuracy/tt-r4-s1.safetensors",
                "resource:/pinned/stack-fdht.safetensors",
                "resource:/pinned/stack-ht-input.safetensors",
                "resource:/pinned/stack-tt.safetensors"
            })
    void outputsAreThePinnedOnes(String model) throws Exception {
        Path file = materialise(model);
        String digest;
        try (Arena arena = Arena.ofConfined()) {
            LstmStack stack = LstmModelFile.readStack(file, arena);
            digest = digest(stack, arena);
        } finally {
            if (model.startsWith("resource:")) Files.deleteIfExists(file);
        }
        String key =
                model.substring(model.lastIndexOf('/') + 1) + "." + KernelProvider.kernels().name();
        String write = System.getProperty("fdht.pinWrite");
        if (write != null) {
            Files.writeString(
                    Path.of(write),
                    key + "=" + digest + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            assumeTrue(false, "wrote " + key + " to " + write + " instead of checking it");
        }
        String pinned = pinned().getProperty(key);
        assumeTrue(pinned != null, "no digest pinned for " + key + ": skipped");
        assertEquals(pinned, digest, key);
    }

    /**
     * Runs BATCH deterministic clips of 6 frames (values in [-1, 1)) and digests output + logits.
     */
    private static String digest(LstmStack stack, Arena arena) throws NoSuchAlgorithmException {
        int frames = 6;
        long clipFloats = (long) BATCH * frames * stack.inputSize();
        MemorySegment clip = Weights.floats(arena, clipFloats);
        SplittableRandom rnd = new SplittableRandom(20260101);
        for (long e = 0; e < clipFloats; e++)
            clip.setAtIndex(ValueLayout.JAVA_FLOAT, e, (float) (rnd.nextDouble() * 2 - 1));
        long outFloats = (long) BATCH * frames * stack.outputSize();
        MemorySegment output = Weights.floats(arena, outFloats);
        int classes = stack.headClasses();
        MemorySegment logits = classes == 0 ? null : Weights.floats(arena, (long) BATCH * classes);
        stack.run(clip, frames, stack.newWorkspace(BATCH, frames, arena), output, logits);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(output.asSlice(0, outFloats * Float.BYTES).toArray(ValueLayout.JAVA_BYTE));
        if (logits != null)
            sha.update(
                    logits.asSlice(0, (long) BATCH * classes * Float.BYTES)
                            .toArray(ValueLayout.JAVA_BYTE));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Path materialise(String model) throws IOException {
        if (model.startsWith("file:")) {
            Path p = Path.of(model.substring("file:".length()));
            assumeTrue(Files.isRegularFile(p), p + " is not there (run from the cli module)");
            return p;
        }
        String resource = model.substring("resource:".length());
        try (InputStream in = PinnedOutputsTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the class path");
            Path tmp = Files.createTempFile("fdht-pinned", ".safetensors");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }

    private static Properties pinned() {
        Properties p = new Properties();
        try (InputStream in =
                PinnedOutputsTest.class.getResourceAsStream("/pinned/outputs.properties")) {
            if (in != null) p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
