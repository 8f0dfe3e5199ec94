package fdht.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CycleModelTest {

    /**
     * The model's outputs for both workloads are checked in: a change to the model shows up here
     * as a diff someone must approve. Regenerate with
     * {@code ./fdht simulate --workload W --json accel-model/src/test/resources/fdht/accel/golden-W.json}.
     */
    @Test
    void goldenOutputsAreUnchanged() throws IOException {
        for (String w : new String[]{"lstm-ucf", "lstm-youtube"}) {
            String expected;
            try (InputStream in = getClass().getResourceAsStream("/fdht/accel/golden-" + w + ".json")) {
                expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String actual = Comparison.run(Workload.named(w), AcceleratorConfig.fdht(), AcceleratorConfig.tie()).toJson();
            assertEquals(expected, actual, w + ": the model's output changed; if that is intended, regenerate the golden file (see Javadoc)");
        }
    }

    @Test
    void skewedLayoutHasNoStallsAndRowMajorPaysForTheTransposes() {
        for (Workload w : new Workload[]{Workload.lstmUcf(), Workload.lstmYoutube()}) {
            Comparison c = Comparison.run(w, AcceleratorConfig.fdht(), AcceleratorConfig.tie());
            assertEquals(0, c.fdht().stallCycles(), w.name());
            assertEquals(0, c.tie().stallCycles(), w.name());
            assertTrue(c.fdhtRowMajor().stallCycles() > 0, w.name());
            assertTrue(c.fdhtRowMajor().frameCycles() >= c.fdht().frameCycles(), w.name());
            assertEquals(c.fdht().macsPerFrame(), w.htPlan().totalMacs());
        }
    }

    @Test
    void cyclesNeverBeatTheArrayAndDramBounds() {
        AcceleratorConfig fast = AcceleratorConfig.fdht();
        for (int pes : new int[]{4, 16, 64}) {
            AcceleratorConfig cfg = fast.with("skewed", pes, 16);
            Workload w = Workload.lstmUcf();
            Simulation s = CycleModel.simulate(cfg, w, w.htPlan());
            long macBound = (s.macsPerFrame() + (long) pes * cfg.lanes() - 1) / ((long) pes * cfg.lanes());
            assertTrue(s.frameCycles() >= macBound, "cycles below the MAC bound at " + pes + " PEs");
            assertTrue(s.frameCycles() >= s.dramCycles());
            assertTrue(s.utilization() <= 1.0 + 1e-12);
            double parts = s.energyMacPj() + s.energySramPj() + s.energyWeightPj() + s.energyDramPj() + s.energyLeakagePj();
            assertEquals(parts, s.energyPerFramePj(), 1e-6 * parts);
        }
    }

    @Test
    void badConfigsAreNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "name = x\npes = 0\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.load(f));
        assertTrue(e.getMessage().contains("lanes") || e.getMessage().contains("missing"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.fdht().with("skewed", 16, 12));
        assertTrue(e2.getMessage().contains("banks 12"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Workload.named("lstm-kinetics"));
        assertTrue(e3.getMessage().contains("lstm-kinetics"), e3.getMessage());
    }
}
