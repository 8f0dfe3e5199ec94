package fdht.kernels.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.TtFormat;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The layer format type: every key names its case and nothing else, each case covers the columns it
 * says and counts what it stores, and bad words are named by the part of the specification they are
 * about.
 */
class LayerFormatTest {
    static final int N = 4096, H = 128;

    static LayerFormat mfm(String key, String ranks) {
        return LayerFormat.parse(key, RankSpec.parse(ranks), N, H, GateFactors.TRAINING);
    }

    @Test
    void everyKeyNamesItsOwnCase() {
        for (String key : LayerFormat.KEYS) {
            LayerFormat f = mfm(key, "4");
            assertEquals(key, f.key());
            assertEquals(N, f.inputSize());
            assertEquals(H, f.hiddenSize());
            assertEquals(LayerFormat.PLANNED_KEYS.contains(key), f instanceof LayerFormat.Planned);
        }
        assertEquals(LayerFormat.KEYS.size(), LayerFormat.KEYS.stream().distinct().count());
        assertTrue(LayerFormat.KEYS.containsAll(LayerFormat.PLANNED_KEYS));
        FormatSpecException e = assertThrows(FormatSpecException.class, () -> mfm("gru", "4"));
        assertEquals(FormatSpecException.Part.KEY, e.part());
        assertTrue(e.getMessage().contains("'gru'"), e.getMessage());
        for (String key : LayerFormat.KEYS)
            assertTrue(e.getMessage().contains(key), "the message lists " + key);
    }

    @Test
    void theMfmShapesAreTheOnesTheTrainerAlwaysChose() {
        // the results table's models (docs/ACCURACY.md): exact column factors before padded ones
        var fdht = assertInstanceOf(LayerFormat.Fdht.class, mfm("fdht", "4"));
        assertEquals(
                "HT 512x4224 m=[16, 4, 4, 2] n=[4, 8, 11, 12] tree=((1,2),(3,4)) ranks=[4, 4, 4, 4, 4, 4, 1]",
                fdht.matrix().toString());
        assertEquals(1312 - 4 * H, fdht.parameterCount());
        var input = assertInstanceOf(LayerFormat.HtInput.class, mfm("ht-input", "4"));
        assertEquals(N, input.columns());
        assertArrayEquals(new int[] {8, 8, 8, 8}, input.matrix().colFactors());
        assertEquals(67_024 - 4 * H, input.parameterCount());
        var tt = assertInstanceOf(LayerFormat.Tt.class, mfm("tt", "2"));
        assertEquals(N + H, tt.columns());
        assertEquals(992 - 4 * H, tt.parameterCount());
        // TT-LSTM as published, at MFM-40's shapes: the columns of x alone, as ht-input's
        var ttInput = assertInstanceOf(LayerFormat.TtInput.class, mfm("tt-input", "4"));
        assertEquals(N, ttInput.columns());
        assertEquals(
                "TT 512x4096 m=[16, 4, 4, 2] n=[8, 8, 8, 8] ranks=[1, 4, 4, 4, 1]",
                ttInput.matrix().toString());
        assertEquals(1600 + 4L * H * H, ttInput.parameterCount());
        var dense = assertInstanceOf(LayerFormat.Dense.class, mfm("dense", "4"));
        assertEquals(4L * H * (N + H), dense.parameterCount());
        assertEquals(dense.parameterCount(), dense.macsPerStep());
    }

    private static void assertArrayEquals(int[] expected, int[] actual) {
        assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    }

    @Test
    void aPlannedFormatCountsItsMatrixItsDenseWhAndItsPlan() {
        for (String key : LayerFormat.PLANNED_KEYS) {
            var f = (LayerFormat.Planned) mfm(key, "3");
            long wh = f.coversHidden() ? 0 : 4L * H * H;
            assertEquals(f.matrix().parameterCount() + wh, f.parameterCount(), key);
            assertEquals(f.plan(1).totalMacs() + wh, f.macsPerStep(), key);
            assertEquals(N + (f.coversHidden() ? H : 0), f.columns(), key);
            assertTrue(f.matrix().cols() >= f.columns(), key);
            assertEquals(4 * H, f.matrix().rows(), key);
            assertEquals(f, f.withMatrix(f.matrix()), key);
            assertEquals(f.hashCode(), f.withMatrix(f.matrix()).hashCode(), key);
            assertTrue(f.describe().equals(f.toString()), key);
        }
        var tt = (LayerFormat.Planned) mfm("tt", "3");
        assertEquals(
                ContractionPlanner.tieOrder((TtFormat) tt.matrix(), 2).toTable(),
                tt.plan(2).toTable(),
                "TT runs TIE's order");
        var fdht = (LayerFormat.Planned) mfm("fdht", "3");
        assertEquals(
                ContractionPlanner.plan((HtFormat) fdht.matrix(), 2).toTable(),
                fdht.plan(2).toTable(),
                "HT runs the cheapest plan");
    }

    @Test
    void ttLstmAsPublishedHasThePublishedShapesAndRunsTiesOrder() {
        // Yang et al. 2017 (LSTM-UCF): input 8x20x20x18, output 4x4x4x4 times the four gates,
        // TT ranks 1,4,4,4,1, and a dense W_h
        GateFactors published =
                new GateFactors(4, new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, null, false);
        var f =
                assertInstanceOf(
                        LayerFormat.TtInput.class,
                        LayerFormat.parse("tt-input", RankSpec.parse("4"), 57_600, 256, published));
        assertEquals(
                TtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 18}, 4),
                f.matrix());
        assertFalse(f.coversHidden());
        assertEquals(57_600, f.columns());
        assertEquals(3_360 + 1024L * 256, f.parameterCount());
        assertEquals(
                ContractionPlanner.tieOrder((TtFormat) f.matrix(), 1).totalMacs() + 1024L * 256,
                f.macsPerStep());
        assertEquals(
                ContractionPlanner.tieOrder((TtFormat) f.matrix(), 3).toTable(),
                f.plan(3).toTable(),
                "TT-LSTM runs TIE's order");
        assertTrue(
                f.describe().startsWith("TT-LSTM (TT on W_x, dense W_h): TT 1024x57600"),
                f.describe());
        assertTrue(f.shapes().endsWith("dense W_h 1024x256"), f.shapes());
        assertEquals("TT-input", f.name());
        // the Youtube shapes: 4x20x20x36
        var youtube =
                (LayerFormat.Planned)
                        LayerFormat.parse(
                                "tt-input",
                                RankSpec.parse("4"),
                                57_600,
                                256,
                                new GateFactors(
                                        4,
                                        new int[] {16, 4, 4, 4},
                                        new int[] {4, 20, 20, 36},
                                        null,
                                        false));
        assertEquals(57_600, youtube.matrix().cols());
        // a TT over [x ; h] cannot be a TT-LSTM's W_x and the other way round: the key decides
        assertNotEquals(
                f,
                new LayerFormat.Tt(
                        TtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4),
                        57_600));
    }

    @Test
    void withMatrixKeepsTheKeyAndRefusesAnotherKindOfMatrix() {
        var fdht = (LayerFormat.Planned) mfm("fdht", "4");
        HtFormat lower =
                HtFormat.uniform(fdht.matrix().rowFactors(), fdht.matrix().colFactors(), 2);
        LayerFormat.Planned two = fdht.withMatrix(lower);
        assertInstanceOf(LayerFormat.Fdht.class, two);
        assertEquals(lower, two.matrix());
        assertNotEquals(fdht, two);
        var tt = (LayerFormat.Planned) mfm("tt", "4");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> fdht.withMatrix(tt.matrix()));
        assertTrue(
                e.getMessage().contains("fdht") && e.getMessage().contains("HT"), e.getMessage());
    }

    @Test
    void aMatrixThatDoesNotFitTheLayerIsNamed() {
        HtFormat narrow = HtFormat.uniform(new int[] {4, 2}, new int[] {3, 4}, 2); // 8 x 12
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new LayerFormat.Fdht(narrow, 11));
        assertTrue(e.getMessage().contains("[x ; h] needs N_x + H = 13"), e.getMessage());
        assertEquals(12, new LayerFormat.HtInput(narrow, 12).columns(), "x alone fits");
        HtFormat notGates = HtFormat.uniform(new int[] {3, 2}, new int[] {3, 4}, 2);
        e = assertThrows(IllegalArgumentException.class, () -> new LayerFormat.Fdht(notGates, 5));
        assertTrue(e.getMessage().contains("rows but 4H"), e.getMessage());
    }

    @Test
    void factorsThatDoNotFitNameThePartTheyCameFrom() {
        // H = 24: 4H = 96, not the 256 of 4x4x4x4
        GateFactors rows = new GateFactors(4, new int[] {4, 4, 4, 4}, null, null, false);
        FormatSpecException e =
                assertThrows(
                        FormatSpecException.class,
                        () -> LayerFormat.parse("fdht", RankSpec.parse("3"), 96, 24, rows));
        assertEquals(FormatSpecException.Part.ROW_FACTORS, e.part());
        assertTrue(
                e.getMessage().contains("multiply to 256, not 4H = 96 (H = 24)"), e.getMessage());
        GateFactors cols = new GateFactors(4, null, new int[] {2, 2, 2, 2}, null, false);
        e =
                assertThrows(
                        FormatSpecException.class,
                        () -> LayerFormat.parse("tt", RankSpec.parse("3"), 96, 24, cols));
        assertEquals(FormatSpecException.Part.COLUMN_FACTORS, e.part());
        assertTrue(e.getMessage().contains("fewer than the 120 columns"), e.getMessage());
        e =
                assertThrows(
                        FormatSpecException.class,
                        () -> new GateFactors(4, null, new int[] {2, 60}, null, false));
        assertEquals(FormatSpecException.Part.COLUMN_FACTORS, e.part());
        e =
                assertThrows(
                        FormatSpecException.class,
                        () -> new GateFactors(4, null, null, DimensionTree.balanced(3), false));
        assertEquals(FormatSpecException.Part.TREE, e.part());
        e =
                assertThrows(
                        FormatSpecException.class,
                        () -> LayerFormat.parse("fdht", RankSpec.parse("3,3"), 96, 24, rows));
        assertEquals(FormatSpecException.Part.ROW_FACTORS, e.part(), "rows are read first");
        e =
                assertThrows(
                        FormatSpecException.class,
                        () ->
                                LayerFormat.parse(
                                        "fdht",
                                        RankSpec.parse("3,3"),
                                        96,
                                        24,
                                        GateFactors.defaults(4)));
        assertEquals(FormatSpecException.Part.RANKS, e.part());
        assertTrue(e.getMessage().contains("2 ranks for the 7 nodes"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "the library names no command-line option");
    }
}
