package fdht.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.cli.CliTest.Result;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.HtFormat;
import fdht.layout.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer format's words on the command line: the library says what is wrong, the command names the
 * option that said it (issue 23's convert defects: a wrong {@code --row-factors} named as a
 * mismatch, {@code --ranks full} at the exact ranks, a GRU named as one).
 */
class FormatOptionsCliTest {
    @TempDir Path dir;

    private Path torch(int input, int hidden) throws IOException {
        Path p = dir.resolve("torch-" + input + "-" + hidden + ".safetensors");
        CliTest.torchLstm(new SafetensorsWriter(), "", input, hidden, 1, 1, 7).write(p);
        return p;
    }

    private static Result convert(Path from, Path out, String... extra) {
        String[] base = {"convert", "--from-pytorch", from.toString(), "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliTest.run(all);
    }

    private static void assertFails(Result r, String... parts) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "'" + p + "' in " + r.err());
    }

    @Test
    void rowFactorsThatAreNot4HAreNamedAsTheMismatch() throws IOException {
        Path out = dir.resolve("m.safetensors");
        // H = 6: 4H = 24, not the 256 of 4x4x4x4
        Result r = convert(torch(10, 6), out, "--row-factors", "4,4,4,4");
        assertFails(
                r,
                "--row-factors",
                "row factors [4, 4, 4, 4] multiply to 256, not 4H = 24 (H = 6)");
        r = convert(torch(10, 6), out, "--col-factors", "2,2,2,1");
        assertFails(r, "--col-factors", "multiply to 8, fewer than the 16 columns");
        assertFalse(Files.exists(out));
    }

    @Test
    void fullRanksStopAtTheExactMaximum() throws IOException {
        Path out = dir.resolve("full.safetensors");
        // [x ; h] of N_x 20, H 4 is 16 x 24; mode sizes 4, 4, 6, 4: nodes (1,2) and (3,4) at most
        // 16
        Result r =
                convert(
                        torch(20, 4),
                        out,
                        "--ranks",
                        "full",
                        "--row-factors",
                        "2,2,2,2",
                        "--col-factors",
                        "2,2,3,2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("HT ranks by node [4, 4, 6, 4, 16, 16, 1]"), r.out());
        try (Arena arena = Arena.ofConfined()) {
            LstmStack s = LstmModelFile.readStack(out, arena);
            HtFormat f = s.layer(0, 0).htWeights().orElseThrow().format();
            for (int t = 0; t < f.tree().nodeCount() - 1; t++)
                assertTrue(
                        f.rank(t)
                                <= HtFormat.maximumRank(
                                        f.rowFactors(), f.colFactors(), f.tree(), t, f.ranks()),
                        "node " + (t + 1) + " of " + f);
        }
    }

    @Test
    void aFormatConvertCannotMakeAndAGruAreRefusedByName() throws IOException {
        Path out = dir.resolve("m.safetensors");
        assertFails(
                convert(torch(10, 6), out, "--format", "dense"),
                "--format dense",
                "fdht, ht-input, tt, tt-input");
        assertFails(
                convert(torch(10, 6), out, "--ranks", "3,3"), "--ranks", "2 ranks for the 7 nodes");
        Path gru = dir.resolve("gru.safetensors");
        new SafetensorsWriter()
                .add("weight_ih_l0", new long[] {12, 5}, new float[60])
                .add("weight_hh_l0", new long[] {12, 4}, new float[48])
                .write(gru);
        assertFails(convert(gru, out), "not an LSTM (3H rows: a GRU?)");
        assertFalse(Files.exists(out));
    }

    @Test
    void helpListsEveryFormatTheLibraryKnows() {
        String convert = CliTest.run("convert", "--help").out().replaceAll("\\s+", " "),
                train = CliTest.run("train", "--help").out().replaceAll("\\s+", " ");
        assertTrue(
                convert.contains(String.join(", ", fdht.kernels.format.LayerFormat.PLANNED_KEYS)),
                convert);
        assertTrue(train.contains(String.join(", ", fdht.kernels.format.LayerFormat.KEYS)), train);
    }

    @Test
    void trainNamesTheOptionOfABadFormatOrRanks() throws IOException {
        try (SyntheticFashionMnist fashion = new SyntheticFashionMnist(dir, 24, 24)) {
            Path out = dir.resolve("t.safetensors");
            String[][] cases = {{"gru", "2"}, {"fdht", "3,3"}, {"tt", "x"}};
            String[][] says = {
                {"--format", "'gru' is not one of fdht, ht-input, tt, tt-input, dense"},
                {"--ranks", "2 ranks for the 7 nodes"},
                {"--ranks", "'x' are not full"}
            };
            for (int i = 0; i < cases.length; i++) {
                Result r =
                        CliTest.run(
                                "train",
                                "--task",
                                "mfm",
                                "--format",
                                cases[i][0],
                                "--ranks",
                                cases[i][1],
                                "--hidden",
                                "8",
                                "--epochs",
                                "1",
                                "--batch",
                                "4",
                                "--limit",
                                "8",
                                "--test-limit",
                                "0",
                                "--out",
                                out.toString());
                assertFails(r, says[i]);
            }
            assertFalse(Files.exists(out));
        }
    }
}
