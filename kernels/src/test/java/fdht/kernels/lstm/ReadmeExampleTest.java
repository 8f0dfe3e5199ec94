package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.GateFactors;
import fdht.kernels.model.Model;
import fdht.kernels.model.Prediction;
import fdht.kernels.model.Predictor;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedding examples, verbatim between their markers, so the docs cannot rot: README.md's (the
 * model API on the bundled trained model) and docs/OVERVIEW.md's (the kernels underneath). {@link
 * ReadmeSyncTest} checks the docs show exactly this code.
 */
class ReadmeExampleTest {
    /**
     * README.md's first line, which surefire (running in the module directory, not the repository's
     * root) cannot run as it is; {@link ReadmeSyncTest} puts it before the code between the
     * markers.
     */
    static final String README_FIRST_LINE =
            "Path file = Path.of(\"cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors\");"
                    + "   // the bundled MFM-40 model";

    @Test
    void readmeExampleClassifiesAClipWithTheBundledModel() {
        Path file =
                Path.of("")
                        .toAbsolutePath()
                        .resolveSibling("cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // spotless:off (kept as README.md shows it)
            // README-BEGIN
            try (Model model = Model.load(file);                                              // any fdht model file; thread-safe
                 Predictor predictor = model.newPredictor()) {                                // one per thread
                float[][] clip = new float[8][model.inputSize()];                             // 8 frames of a 64x64 canvas
                for (int t = 0; t < 8; t++)                                                   // a 28x28 patch moving right, 2 px a frame
                    for (int y = 18; y < 46; y++) for (int x = 18; x < 46; x++) clip[t][64 * y + x + 2 * t] = 1f;
                Prediction p = predictor.predict(clip);                                       // logits, probabilities, labels
                System.out.println(p.label() + " " + p.top(3));                               // T-shirt/top +x [T-shirt/top +x (0.355), Bag +x ...]
            }
            // README-END
            // spotless:on
        } finally {
            System.setOut(stdout);
        }
        String line = printed.toString(StandardCharsets.UTF_8).strip();
        String label = line.substring(0, line.indexOf(" ["));
        List<String> labels;
        try (Model model = Model.load(file)) {
            labels = model.labels();
        }
        int top = labels.indexOf(label);
        assertTrue(top >= 0, "prints a label of the model: " + line);
        assertEquals(0, top % 4, "the model sees the patch move right (+x): " + line);
        assertTrue(label.endsWith(" +x"), "the bundled model names its classes: " + line);
        assertTrue(line.startsWith(label + " [" + label + " ("), "top(3) starts with it: " + line);
    }

    @Test
    void overviewLowLevelExampleRuns() {
        float[] h;
        // spotless:off (kept as docs/OVERVIEW.md shows it)
        // OVERVIEW-BEGIN
        try (Arena arena = Arena.ofConfined()) {
            int inputSize = 57_600, hidden = 256, frames = 6;
            int[] rowFactors = {16, 4, 4, 4};                                   // 4H = 1024 outputs
            int[] colFactors = GateFactors.columns(inputSize + hidden, rowFactors, 4);
            HtFormat format = HtFormat.uniform(rowFactors, colFactors, 4);      // ranks 4, balanced tree
            HtMatrix w = HtMatrix.random(format, 42, arena);                    // or HtMatrix.of(format, nodeTensors, arena)
            Lstm lstm = Lstm.fdht(w, inputSize, new float[4 * hidden], arena);  // bias = b_ih + b_hh, gates i,f,g,o

            LstmState state = lstm.newState(1, arena);                          // per sequence: h, c
            LstmWorkspace work = lstm.newWorkspace(1, arena);                   // per thread: scratch
            MemorySegment clip = arena.allocate((long) frames * inputSize * Float.BYTES, 64); // [batch][frame][N_x]
            for (long e = 0; e < (long) frames * inputSize; e++) clip.setAtIndex(ValueLayout.JAVA_FLOAT, e, (float) Math.sin(e));

            lstm.run(clip, frames, state, work, null);                          // or lstm.step(...) frame by frame
            h = state.hToArray();                                               // h_T, 256 floats
        }
        // OVERVIEW-END
        // spotless:on
        assertEquals(256, h.length);
        double norm = 0;
        for (float v : h) {
            assertTrue(Float.isFinite(v) && Math.abs(v) < 1);
            norm += v * v;
        }
        assertTrue(norm > 0, "the example's hidden state is all zero");
    }
}
