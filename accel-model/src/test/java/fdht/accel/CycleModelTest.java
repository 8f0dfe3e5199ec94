package fdht.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CycleModelTest {
    private static final Provenance TEST = new Provenance(Provenance.Kind.ASSUMED, "test");

    /**
     * The model's outputs for both workloads are checked in: a change to the model shows up here as
     * a diff someone must approve. Regenerate with {@code ./fdht simulate --workload W --json
     * accel-model/src/test/resources/fdht/accel/golden-W.json}.
     */
    @Test
    void goldenOutputsAreUnchanged() throws IOException {
        for (String w : new String[] {"lstm-ucf", "lstm-youtube"}) {
            String expected;
            try (InputStream in =
                    getClass().getResourceAsStream("/fdht/accel/golden-" + w + ".json")) {
                expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String actual =
                    Comparison.run(
                                    Workload.named(w),
                                    AcceleratorConfig.fdht(),
                                    AcceleratorConfig.tie())
                            .toJson();
            assertEquals(
                    expected,
                    actual,
                    w
                            + ": the model's output changed; if that is intended, regenerate the golden file (see Javadoc)");
        }
    }

    @Test
    void defaultConfigurationIsWithinTwentyPercentOfThePaperWithUcfBelowYoutube() {
        Comparison ucf =
                Comparison.run(
                        Workload.lstmUcf(), AcceleratorConfig.fdht(), AcceleratorConfig.tie());
        Comparison yt =
                Comparison.run(
                        Workload.lstmYoutube(), AcceleratorConfig.fdht(), AcceleratorConfig.tie());
        for (Comparison c : new Comparison[] {ucf, yt}) {
            double[] ours = c.ourRatios(), paper = c.paperRatios();
            for (int i : new int[] {0, 2}) {
                assertTrue(
                        Math.abs(ours[i] / paper[i] - 1) <= 0.20,
                        c.workload().name()
                                + " ratio "
                                + i
                                + ": ours "
                                + ours[i]
                                + ", paper "
                                + paper[i]);
            }
        }
        assertTrue(
                ucf.ourRatios()[0] < yt.ourRatios()[0],
                "throughput: UCF below Youtube, as in the paper");
        assertTrue(
                ucf.ourRatios()[2] < yt.ourRatios()[2],
                "energy efficiency: UCF below Youtube, as in the paper");
    }

    @Test
    void fdhtsLayoutHasNoStallsAndTiePaysForItsOwnTransformation() {
        for (Workload w : new Workload[] {Workload.lstmUcf(), Workload.lstmYoutube()}) {
            Comparison c = Comparison.run(w, AcceleratorConfig.fdht(), AcceleratorConfig.tie());
            assertEquals(0, c.fdht().stallCycles(), w.name());
            assertTrue(c.fdhtRowMajor().stallCycles() > 0, w.name());
            assertTrue(c.fdhtRowMajor().frameCycles() > c.fdht().frameCycles(), w.name());
            assertEquals(w.fdhtPlan().totalMacs(), c.fdht().macsPerFrame());
            // TIE: its TT W_x plan, one transformation pass per transposing intermediate, and W_h
            long passes =
                    c.tie().stages().stream()
                            .filter(s -> s.stage().startsWith("transform pass"))
                            .mapToLong(StageCost::cycles)
                            .sum();
            assertTrue(passes > 0, w.name());
            assertEquals(w.ttLstmPlan().totalMacs() + w.recurrentWeights(), c.tie().macsPerFrame());
            // on FDHT's own skewed layout, TIE would be faster: the default does not give it away
            Comparison free =
                    Comparison.run(
                            w,
                            AcceleratorConfig.fdht(),
                            AcceleratorConfig.tie().with("layout", "skewed", TEST),
                            Variant.PUBLISHED,
                            false,
                            false);
            assertTrue(free.tie().frameCycles() < c.tie().frameCycles(), w.name());
        }
    }

    @Test
    void denseStageIsBoundByTheWeightReadWidth() {
        Workload w = Workload.lstmUcf();
        AcceleratorConfig tie = AcceleratorConfig.tie();
        long base = CycleModel.simulate(tie, w, w.ttLstmPlan(), 0, false).frameCycles();
        for (int width : new int[] {8, 32, 48, 256, 1024}) {
            long with =
                    CycleModel.simulate(
                                    tie.with(
                                            "dense_weight_words_per_cycle",
                                            Integer.toString(width),
                                            TEST),
                                    w,
                                    w.ttLstmPlan(),
                                    w.recurrentWeights(),
                                    false)
                            .frameCycles();
            long expected = Math.max((262_144L + 255) / 256, (262_144L + width - 1) / width);
            assertEquals(expected, with - base, "W_h cycles at " + width + " words per cycle");
        }
    }

    /**
     * Lanes map over P x Q: a stage's utilisation degrades with how Q fills the array, never
     * collapses when Q is not a multiple of the lanes per PE. For every stage of both workloads'
     * plans at ranks 1..9: cycles are at least MACs / M and at most max(P C / banks, MACs / (M - Q
     * + 1), P Q / banks), the operand supply, the array, and the output stream.
     */
    @Test
    void peArrayMappingDegradesGracefullyOverRanksOneToNine() {
        AcceleratorConfig cfg = AcceleratorConfig.fdht();
        int m = cfg.pes() * cfg.lanes(), banks = cfg.banks();
        for (Workload w : new Workload[] {Workload.lstmUcf(), Workload.lstmYoutube()}) {
            long previous = 0, previousMacs = 0;
            for (int rank = 1; rank <= 9; rank++) {
                HtFormat f =
                        HtFormat.uniform(
                                w.fdht().matrix().rowFactors(),
                                w.fdht().matrix().colFactors(),
                                rank);
                ContractionPlan plan = ContractionPlanner.plan(f, 1);
                Simulation s = CycleModel.simulate(cfg, w, plan, 0, false);
                for (int i = 0; i < plan.stages().size(); i++) {
                    Stage st = plan.stages().get(i);
                    long cycles = s.stages().get(i).cycles();
                    long q = st.q();
                    assertTrue(
                            cycles >= (st.macs() + m - 1) / m,
                            "rank " + rank + " " + st.describe() + ": faster than the array");
                    if (q <= m) {
                        long bound =
                                Math.max(
                                        Math.max(
                                                (st.p() * st.c() + banks - 1) / banks,
                                                (st.macs() + (m - q)) / (m - q + 1)),
                                        (st.outputSize() + banks - 1) / banks);
                        assertTrue(
                                cycles <= bound,
                                "rank "
                                        + rank
                                        + " "
                                        + st.describe()
                                        + ": "
                                        + cycles
                                        + " cycles above "
                                        + bound);
                    }
                }
                if (previous > 0) {
                    double growth = (double) s.onChipCycles() / previous,
                            macGrowth = (double) s.macsPerFrame() / previousMacs;
                    assertTrue(
                            growth <= 1.35 * macGrowth,
                            "rank "
                                    + rank
                                    + ": cycles grew "
                                    + growth
                                    + "x for "
                                    + macGrowth
                                    + "x the MACs");
                }
                previous = s.onChipCycles();
                previousMacs = s.macsPerFrame();
            }
        }
    }

    @Test
    void energyIsCountedPerEventAndPerSecond() {
        Workload w = Workload.lstmYoutube();
        AcceleratorConfig cfg = AcceleratorConfig.fdht();
        Simulation a = CycleModel.simulate(cfg, w, w.fdhtPlan(), 0, false);
        Simulation b =
                CycleModel.simulate(
                        cfg.with("energy_mac_pj", "0.68", TEST), w, w.fdhtPlan(), 0, false);
        assertEquals(
                a.macsPerFrame() * 0.34,
                b.energyOnChipPj() - a.energyOnChipPj(),
                1e-6 * a.energyOnChipPj());
        double seconds = a.frameCycles() / 1e9;
        assertEquals(
                20 * cfg.areaMm2() * 1e-3 * seconds * 1e12,
                a.energyClockPj(),
                1e-9 * a.energyClockPj());
        assertEquals(a.energyOnChipPj() / seconds * 1e-9, a.powerMw(), 1e-9 * a.powerMw());
    }

    @Test
    void dramIsBesideTheFrameByDefaultAndInsideItWithTheSwitch() {
        Workload w = Workload.lstmUcf();
        AcceleratorConfig slow = AcceleratorConfig.fdht().with("dram_gbps", "1", TEST);
        Simulation onChip =
                CycleModel.simulate(AcceleratorConfig.fdht(), w, w.fdhtPlan(), 0, false);
        Simulation onChipSlow = CycleModel.simulate(slow, w, w.fdhtPlan(), 0, false);
        assertEquals(
                onChip.frameCycles(),
                onChipSlow.frameCycles(),
                "on-chip frame time does not depend on DRAM");
        assertEquals(onChip.energyPerFramePj(), onChipSlow.energyPerFramePj(), 1e-9);
        assertEquals(57_600, onChip.dramWords(), "the frame's real inputs, not the padded [x;h]");
        Simulation counted = CycleModel.simulate(slow, w, w.fdhtPlan(), 0, true);
        assertEquals(counted.dramCycles(), counted.frameCycles());
        assertEquals((long) Math.ceil(57_600 * 2 / 1e9 * 1e9), counted.dramCycles());
        assertTrue(counted.energyPerFramePj() > counted.energyOnChipPj() + 0.99 * 57_600 * 16 * 20);
    }

    @Test
    void buffersThatAreTooSmallAreReportedAndCostDram() {
        Workload w = Workload.lstmUcf();
        AcceleratorConfig small = AcceleratorConfig.fdht().with("work_buffer_kb", "64", TEST);
        Simulation s = CycleModel.simulate(small, w, w.fdhtPlan(), 0, false);
        assertTrue(
                s.capacityIssues().stream()
                        .anyMatch(i -> i.contains("stage 1 writes 48,640 words")),
                s.capacityIssues().toString());
        assertEquals(57_600 + 2 * (48_640 - 32_768), s.dramWords());
        AcceleratorConfig tieSmall = AcceleratorConfig.tie().with("weight_sram_kb", "16", TEST);
        Simulation t =
                CycleModel.simulate(tieSmall, w, w.ttLstmPlan(), w.recurrentWeights(), false);
        assertTrue(
                t.capacityIssues().stream().anyMatch(i -> i.contains("do not fit the weight SRAM")),
                t.capacityIssues().toString());
        assertTrue(t.dramWords() > 57_600 + 262_144 - 8_192);
        assertTrue(
                CycleModel.simulate(
                                AcceleratorConfig.tie(),
                                w,
                                w.ttLstmPlan(),
                                w.recurrentWeights(),
                                false)
                        .capacityIssues()
                        .isEmpty());
    }

    @Test
    void variantsAndPaperRatiosBelongToTheirWorkloads() {
        Workload w = Workload.lstmUcf();
        Comparison same =
                Comparison.run(
                        w,
                        AcceleratorConfig.fdht(),
                        AcceleratorConfig.tie(),
                        Variant.SAME_FORMAT,
                        false,
                        false);
        assertEquals(w.ttPlan().totalMacs(), same.tie().macsPerFrame());
        assertTrue(same.tie().stages().stream().noneMatch(s -> s.stage().startsWith("dense")));
        Workload model = Workload.ofModel("m.safetensors", w.fdht());
        assertNull(model.paper());
        Comparison c = Comparison.run(model, AcceleratorConfig.fdht(), AcceleratorConfig.tie());
        assertNull(c.paperRatios());
        assertTrue(
                !c.toTable().contains("paper\n") && c.toTable().contains("only"),
                "no paper column for a user model");
        // TIE's W_x: the model's column factors with the last lowered to just cover the inputs; for
        // UCF's 8x20x20x19 that is the published 8x20x20x18
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {8, 20, 20, 18}, model.ttLstm().matrix().colFactors());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {16, 4, 4, 4}, model.ttLstm().matrix().rowFactors());
        assertEquals(57_600, model.ttLstm().matrix().cols());
    }

    @Test
    void everyBundledEntryIsMarkedAndBadConfigsAreNamed(@TempDir Path dir) throws IOException {
        for (AcceleratorConfig c :
                new AcceleratorConfig[] {AcceleratorConfig.fdht(), AcceleratorConfig.tie()}) {
            for (String k : AcceleratorConfig.KEYS)
                assertTrue(c.provenance().containsKey(k), c.name() + " " + k);
        }
        assertEquals(
                Provenance.Kind.SOURCED,
                AcceleratorConfig.tie().provenance().get("published_area_mm2").kind());
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "name = x\npes = 0\n");
        var e = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.load(f));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        var e2 =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> AcceleratorConfig.fdht().with(MemoryLayout.SKEWED, 16, 12));
        assertTrue(e2.getMessage().contains("banks 12"), e2.getMessage());
        var e3 =
                assertThrows(IllegalArgumentException.class, () -> Workload.named("lstm-kinetics"));
        assertTrue(e3.getMessage().contains("lstm-kinetics"), e3.getMessage());
        String bundled;
        try (InputStream in = getClass().getResourceAsStream("/fdht/accel/fdht.properties")) {
            bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(f, bundled.replace("pes.source = assumed:", "pes.source = guessed:"));
        var e4 = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.load(f));
        assertTrue(e4.getMessage().contains("pes.source"), e4.getMessage());
        Files.writeString(f, bundled.replaceAll("(?m)^banks\\.source.*$", ""));
        var e5 = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.load(f));
        assertTrue(e5.getMessage().contains("'banks' has no"), e5.getMessage());
        Files.writeString(f, bundled + "\nbankz = 3\n");
        var e6 = assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.load(f));
        assertTrue(e6.getMessage().contains("bankz"), e6.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryLayout.of("diagonal"));
    }

    @Test
    void sensitivityVariesOnlyFittedAndAssumedEntries() {
        Sensitivity s =
                Sensitivity.run(
                        Workload.lstmYoutube(),
                        AcceleratorConfig.fdht(),
                        AcceleratorConfig.tie(),
                        Variant.PUBLISHED,
                        false);
        assertTrue(s.rows().stream().noneMatch(r -> r.mark().kind() == Provenance.Kind.SOURCED));
        assertTrue(
                s.rows().stream().noneMatch(r -> r.label().equals("TIE pes")),
                "TIE's 16 PEs are published");
        Sensitivity.Row width =
                s.rows().stream()
                        .filter(r -> r.label().equals("TIE dense_weight_words_per_cycle"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(
                width.throughputLow() > s.throughput() && width.throughputHigh() < s.throughput(),
                "a narrower weight port slows TIE");
        assertTrue(s.deciding(false, 0.05).contains(width));
    }
}
