package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.accel.Workload;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate --model} takes a model of every compressed format (the FDHT chip runs it in its
 * own format, a dense {@code W_h} as a dense stage), and {@code --tie-model} a trained TT-LSTM
 * ({@code tt-input}: the published variant) or a TT over {@code [x;h]} ({@code tt}: same-format),
 * nothing else.
 */
class SimulateModelsCliTest {
    static final int N = 30, H = 4;

    @TempDir Path dir;

    /** A random one-layer model of format {@code key} at rank {@code rank}, written to a file. */
    private Path model(String key, int rank) {
        Path p = dir.resolve(key + "-r" + rank + ".safetensors");
        try (Arena arena = Arena.ofConfined()) {
            var f =
                    (LayerFormat.Planned)
                            LayerFormat.parse(
                                    key,
                                    RankSpec.parse(Integer.toString(rank)),
                                    N,
                                    H,
                                    GateFactors.defaults(2));
            PlanFactors w = PlanFactors.random(f.matrix(), 5, arena);
            MemorySegment wh = f.coversHidden() ? null : Weights.floats(arena, 4L * H * H);
            LstmModelFile.write(Lstm.planned(f, w, wh, new float[4 * H], arena), p);
            return p;
        }
    }

    /** The TIE column of a report line starting with {@code label}. */
    private static String tieColumn(String report, String label) {
        String line =
                report.lines().filter(l -> l.startsWith(label)).findFirst().orElseThrow().strip();
        return line.substring(label.length()).strip().split("\\s+")[1];
    }

    @Test
    void everyCompressedFormatRunsOnTheFdhtChipInItsOwnFormat() {
        for (String key : LayerFormat.PLANNED_KEYS) {
            Path m = model(key, 2);
            CliTest.Result r = CliTest.run("simulate", "--model", m.toString());
            assertEquals(0, r.code(), key + ": " + r.err());
            var f = (LayerFormat.Planned) readFormat(m);
            Workload w = Workload.ofModel("m", f);
            long macs = w.fdhtPlan().totalMacs() + w.denseWeights(f);
            String line =
                    r.out().lines().filter(l -> l.startsWith("MACs")).findFirst().orElseThrow();
            assertTrue(
                    line.substring(4).strip().startsWith(String.format("%,d", macs)),
                    key + ": the FDHT chip's MACs are the model's plan and dense W_h: " + line);
            assertEquals(
                    !f.coversHidden(),
                    r.out().contains("FDHT stages")
                            && r.out()
                                    .substring(r.out().indexOf("FDHT stages"))
                                    .lines()
                                    .takeWhile(l -> !l.isBlank())
                                    .anyMatch(l -> l.strip().startsWith("dense W_h")),
                    key + ": a dense W_h stage exactly when the model has one\n" + r.out());
            assertTrue(r.out().contains("assumed for this model"), r.out());
        }
        CliTest.Result dense = CliTest.run("simulate", "--model", denseModel().toString());
        assertEquals(2, dense.code());
        assertTrue(
                dense.err().contains("simulate takes a compressed model (kind fdht, ht-input"),
                dense.err());
    }

    @Test
    void aTrainedTtLstmRunsOnTieInThePublishedVariant() {
        Path fdhtModel = model("fdht", 2), ttLstm = model("tt-input", 3);
        CliTest.Result r =
                CliTest.run(
                        "simulate",
                        "--model",
                        fdhtModel.toString(),
                        "--tie-model",
                        ttLstm.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("variant published"), r.out());
        assertTrue(r.out().contains("ranks 1,3..3,1 (trained) + dense W_h 16x4"), r.out());
        var t = (LayerFormat.Planned) readFormat(ttLstm);
        assertEquals(
                String.format("%,d", t.plan(1).totalMacs() + 4L * H * H),
                tieColumn(r.out(), "MACs"),
                "TIE runs the trained TT-LSTM's plan and its dense W_h");
        // a TT over [x;h] still runs in same-format
        CliTest.Result same =
                CliTest.run(
                        "simulate",
                        "--model",
                        fdhtModel.toString(),
                        "--tie-model",
                        model("tt", 2).toString());
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("variant same-format"), same.out());
        // TIE runs TT: another format, or a variant that does not run the model, is refused
        CliTest.Result ht =
                CliTest.run(
                        "simulate",
                        "--model",
                        fdhtModel.toString(),
                        "--tie-model",
                        model("ht-input", 2).toString());
        assertEquals(2, ht.code());
        assertTrue(ht.err().contains("--tie-model") && ht.err().contains("not ht-input"), ht.err());
        CliTest.Result variant =
                CliTest.run(
                        "simulate",
                        "--model",
                        fdhtModel.toString(),
                        "--tie-model",
                        ttLstm.toString(),
                        "--variant",
                        "same-format");
        assertEquals(2, variant.code());
        assertTrue(variant.err().contains("runs in the published variant"), variant.err());
        // other sizes are named
        Path wide = dir.resolve("wide.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            TtFormat f = TtFormat.uniform(new int[] {4, 4}, new int[] {8, 5}, 2);
            LstmModelFile.write(
                    Lstm.ttInput(
                            TtMatrix.random(f, 1, arena),
                            Weights.floats(arena, 4L * H * H),
                            40,
                            new float[4 * H],
                            arena),
                    wide);
        }
        CliTest.Result sizes =
                CliTest.run(
                        "simulate",
                        "--model",
                        fdhtModel.toString(),
                        "--tie-model",
                        wide.toString());
        assertEquals(2, sizes.code());
        assertTrue(sizes.err().contains("N_x = 40, H = 4, the FDHT model N_x = 30"), sizes.err());
        assertFalse(sizes.err().contains("\n" + "at "), "one line");
    }

    private Path denseModel() {
        Path p = dir.resolve("dense.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.write(
                    Lstm.dense(
                            Weights.floats(arena, 4L * H * (N + H)), N, H, new float[4 * H], arena),
                    p);
        }
        return p;
    }

    private static LayerFormat readFormat(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            return LstmModelFile.read(p, arena).format();
        }
    }
}
