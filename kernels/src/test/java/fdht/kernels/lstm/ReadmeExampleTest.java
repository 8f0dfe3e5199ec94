package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.GateFactors;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The embedding example of README.md, verbatim between the markers, so the README cannot rot. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() {
        float[] h;
        // spotless:off (kept as README.md shows it)
        // README-BEGIN
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
        // README-END
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
