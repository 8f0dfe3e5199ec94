package fdht.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.FormatSpecException;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code fdht train --row-factors/--col-factors}: stored and compared as the other options, given
 * to the format as its factors (TT-LSTM at the published LSTM-UCF shapes, say), and a checkpoint
 * written before these options existed still reads, with the defaults.
 */
class TrainingConfigFactorsTest {
    static TrainingConfig config(String rows, String cols) {
        return new TrainingConfig(
                "mfm-ucf",
                0,
                1600,
                400,
                0,
                "tt-input",
                "4",
                256,
                null,
                100,
                3,
                32,
                1,
                1,
                0.01,
                0,
                1.0,
                0.05,
                rows,
                cols);
    }

    @Test
    void factorsAreOptionsAndShapeTheFormat() {
        TrainingConfig c = config("16, 4,4,4", "8,20,20,18");
        assertEquals("16,4,4,4", c.options().get("--row-factors"));
        assertEquals("8,20,20,18", c.options().get("--col-factors"));
        assertEquals(c, TrainingConfig.fromOptions(c.options()));
        assertTrue(
                c.firstDifference(config("16,4,4,4", "")).startsWith("--col-factors 8,20,20,18"),
                c.firstDifference(config("16,4,4,4", "")));
        var f =
                (LayerFormat.Planned)
                        LayerFormat.parse(
                                c.format(),
                                RankSpec.parse(c.ranks()),
                                57_600,
                                c.hidden(),
                                GateFactors.training(c.rowFactors(), c.colFactors()));
        assertEquals(
                "TT 1024x57600 m=[16, 4, 4, 4] n=[8, 20, 20, 18] ranks=[1, 4, 4, 4, 1]",
                f.matrix().toString());
        assertEquals(GateFactors.TRAINING, GateFactors.training("", ""));
        var e = assertThrows(FormatSpecException.class, () -> GateFactors.training("", "8,x,20"));
        assertEquals(FormatSpecException.Part.COLUMN_FACTORS, e.part());
        assertEquals(
                FormatSpecException.Part.ROW_FACTORS,
                assertThrows(FormatSpecException.class, () -> GateFactors.training("0,4", ""))
                        .part());
    }

    @Test
    void aCheckpointWithoutTheFactorOptionsResumesWithTheDefaults() {
        Map<String, String> old = new java.util.LinkedHashMap<>(config("", "").options());
        old.remove("--row-factors");
        old.remove("--col-factors");
        TrainingConfig c = TrainingConfig.fromOptions(old);
        assertEquals("", c.rowFactors());
        assertEquals("", c.colFactors());
        old.remove("--lr");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromOptions(old));
        assertTrue(e.getMessage().contains("lacks --lr"), e.getMessage());
    }
}
