package fdht.kernels.lstm;

import static fdht.kernels.lstm.LstmModelFileTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PytorchStateDictTest {
    @TempDir Path dir;

    /**
     * The tensors of an nn.LSTM(input, hidden, num_layers=layers, bidirectional=directions == 2)
     * under {@code prefix}, random.
     */
    static SafetensorsWriter lstm(
            SafetensorsWriter w,
            String prefix,
            int input,
            int hidden,
            int layers,
            int directions,
            long seed) {
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < directions; d++) {
                String s = l + (d == 1 ? "_reverse" : "");
                int in = l == 0 ? input : directions * hidden;
                long k = seed + 10L * (2 * l + d);
                w.add(
                                prefix + "weight_ih_l" + s,
                                new long[] {4 * hidden, in},
                                random(4 * hidden * in, k, 0.5))
                        .add(
                                prefix + "weight_hh_l" + s,
                                new long[] {4 * hidden, hidden},
                                random(4 * hidden * hidden, k + 1, 0.5))
                        .add(
                                prefix + "bias_ih_l" + s,
                                new long[] {4 * hidden},
                                random(4 * hidden, k + 2, 0.1))
                        .add(
                                prefix + "bias_hh_l" + s,
                                new long[] {4 * hidden},
                                random(4 * hidden, k + 3, 0.1));
            }
        }
        return w;
    }

    @Test
    void aBareNnLstmImportsAsTheDenseLayerWithItsFcHead() {
        int input = 6, hidden = 3;
        float[] wih = random(4 * hidden * input, 1, 0.5), whh = random(4 * hidden * hidden, 2, 0.5);
        float[] bih = random(4 * hidden, 3, 0.1), bhh = random(4 * hidden, 4, 0.1);
        Path p = dir.resolve("torch.safetensors");
        new SafetensorsWriter()
                .add("weight_ih_l0", new long[] {4 * hidden, input}, wih)
                .add("weight_hh_l0", new long[] {4 * hidden, hidden}, whh)
                .add("bias_ih_l0", new long[] {4 * hidden}, bih)
                .add("bias_hh_l0", new long[] {4 * hidden}, bhh)
                .add("fc.weight", new long[] {2, hidden}, random(2 * hidden, 5, 1))
                .add("fc.bias", new long[] {2}, new float[] {1, 2})
                .write(p);
        try (Arena arena = Arena.ofConfined()) {
            PytorchStateDict.Import im = PytorchStateDict.read(p, null, null, arena);
            Lstm d = im.stack().layer(0, 0);
            GateMatrix g = ((DenseProjection) d.projection()).weights();
            assertEquals("", im.lstmPrefix());
            assertEquals(input, d.inputSize());
            assertEquals(hidden, d.hiddenSize());
            assertEquals(
                    wih[input + 1],
                    Weights.get(g.weights(), (input + hidden) + 1L),
                    "row 1 of W_ih lands at row 1 of [W_ih W_hh]");
            assertEquals(
                    whh[hidden + 2],
                    Weights.get(g.weights(), (input + hidden) + input + 2L),
                    "row 1 of W_hh follows W_ih's row");
            assertEquals(bih[5] + bhh[5], d.biasToArray()[5]);
            assertEquals(2, im.stack().headClasses());
            assertEquals("fc.", im.headPrefix());
            assertEquals(List.of(), im.ignored());
            // every tensor is the LSTM's or its head's: a model file reader runs it as it is
            Lstm asFile = LstmModelFile.read(p, arena);
            assertEquals(input, asFile.inputSize());
            assertEquals(2, asFile.head().orElseThrow().classes());
            assertEquals(d.parameterCount(), asFile.parameterCount());
        }
    }

    @Test
    void prefixesAreDetectedAndWhatIsNotUsedIsNamed() {
        Path p = dir.resolve("m.safetensors");
        lstm(new SafetensorsWriter(), "lstm.", 5, 2, 1, 1, 1)
                .add("embedding.weight", new long[] {7, 5}, random(35, 9, 1))
                .add("classifier.weight", new long[] {3, 2}, random(6, 8, 1))
                .add("classifier.bias", new long[] {3}, random(3, 7, 1))
                .write(p);
        try (Arena arena = Arena.ofConfined()) {
            PytorchStateDict.Import im = PytorchStateDict.read(p, null, null, arena);
            assertEquals("lstm.", im.lstmPrefix());
            assertEquals("classifier.", im.headPrefix());
            assertEquals(List.of("embedding.weight"), im.ignored());
            assertEquals(5, im.stack().inputSize());
            // a tensor that is neither the LSTM's nor the head's: a model file reader refuses it,
            // naming it
            ModelFileException asFile =
                    assertThrows(ModelFileException.class, () -> LstmModelFile.read(p, arena));
            assertTrue(
                    asFile.getMessage().contains("embedding.weight")
                            && asFile.getMessage().contains("convert"),
                    asFile.getMessage());
            PytorchStateDict.Import given = PytorchStateDict.read(p, "lstm", "none", arena);
            assertTrue(given.stack().head().isEmpty());
            assertEquals(
                    List.of("classifier.bias", "classifier.weight", "embedding.weight"),
                    given.ignored());
            ModelFileException e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, "encoder", null, arena));
            assertTrue(
                    e.getMessage().contains("encoder.weight_ih_l0")
                            && e.getMessage().contains("candidates: lstm"),
                    e.getMessage());
        }
    }

    @Test
    void severalCandidatesAreListed() {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter w = lstm(new SafetensorsWriter(), "a.", 5, 2, 1, 1, 1);
        lstm(w, "b.", 4, 2, 1, 1, 50)
                .add("fc.weight", new long[] {3, 2}, random(6, 8, 1))
                .add("fc.bias", new long[] {3}, random(3, 7, 1))
                .add("aux.weight", new long[] {4, 2}, random(8, 6, 1))
                .add("aux.bias", new long[] {4}, random(4, 5, 1))
                .write(p);
        try (Arena arena = Arena.ofConfined()) {
            ModelFileException e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, null, "fc", arena));
            assertTrue(
                    e.getMessage().contains("a, b") && e.getMessage().contains("--lstm-prefix"),
                    e.getMessage());
            e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, "b", null, arena));
            assertTrue(
                    e.getMessage().contains("aux, fc") && e.getMessage().contains("--head-prefix"),
                    e.getMessage());
            PytorchStateDict.Import im = PytorchStateDict.read(p, "b.", "fc", arena);
            assertEquals(4, im.stack().inputSize());
            assertEquals(
                    List.of(
                            "a.bias_hh_l0",
                            "a.bias_ih_l0",
                            "a.weight_hh_l0",
                            "a.weight_ih_l0",
                            "aux.bias",
                            "aux.weight"),
                    im.ignored());
        }
    }

    @Test
    void aLayerNumberPyTorchNeverWritesIsNamedAsIgnoredNotTakenAsUsed() {
        Path p = dir.resolve("m.safetensors");
        lstm(new SafetensorsWriter(), "", 5, 2, 1, 1, 1)
                .add("weight_ih_l00", new long[] {8, 5}, random(40, 3, 1))
                .add("bias_hh_l01_reverse", new long[] {8}, random(8, 4, 1))
                .write(p);
        try (Arena arena = Arena.ofConfined()) {
            PytorchStateDict.Import im = PytorchStateDict.read(p, null, "none", arena);
            assertEquals(1, im.stack().layerCount());
            assertEquals(1, im.stack().directions());
            assertEquals(
                    List.of("bias_hh_l01_reverse", "weight_ih_l00"),
                    im.ignored(),
                    "read by no layer, so named");
        }
    }

    @Test
    void stacksAndBothDirectionsImportEveryTensorOrNameTheOneThatDoesNotFit() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Path p = dir.resolve("m.safetensors");
            lstm(new SafetensorsWriter(), "rnn.", 7, 3, 3, 2, 1)
                    .add("fc.weight", new long[] {2, 6}, random(12, 8, 1))
                    .add("fc.bias", new long[] {2}, random(2, 7, 1))
                    .write(p);
            PytorchStateDict.Import im = PytorchStateDict.read(p, null, null, arena);
            assertEquals(3, im.stack().layerCount());
            assertEquals(2, im.stack().directions());
            assertEquals(7, im.stack().layer(0, 1).inputSize());
            assertEquals(
                    6,
                    im.stack().layer(2, 1).inputSize(),
                    "a layer above a bidirectional one reads both directions");
            assertEquals(6, im.stack().head().orElseThrow().hidden());
            assertEquals(List.of(), im.ignored());

            lstm(new SafetensorsWriter(), "", 7, 3, 2, 1, 1)
                    .add("weight_hr_l0", new long[] {3, 2}, random(6, 1, 1))
                    .write(p);
            ModelFileException e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, null, null, arena));
            assertTrue(
                    e.getMessage().contains("'weight_hr_l0'")
                            && e.getMessage().contains("proj_size"),
                    e.getMessage());

            lstm(new SafetensorsWriter(), "", 7, 3, 1, 1, 1)
                    .add("weight_ih_l2", new long[] {12, 3}, random(36, 1, 1))
                    .write(p);
            e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, "", null, arena));
            assertTrue(
                    e.getMessage().contains("weight_ih_l1") && e.getMessage().contains("layer 2"),
                    e.getMessage());

            lstm(new SafetensorsWriter(), "", 7, 3, 1, 1, 1)
                    .add("weight_ih_l0_reverse", new long[] {12, 7}, random(84, 1, 1))
                    .write(p);
            e =
                    assertThrows(
                            ModelFileException.class,
                            () -> PytorchStateDict.read(p, null, null, arena));
            assertTrue(e.getMessage().contains("weight_hh_l0_reverse"), e.getMessage());
        }
    }

    @Test
    void pytorchPicklesAreRefusedWithTheWayToWriteSafetensors() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Path zip = dir.resolve("model.pt"), legacy = dir.resolve("old.pt");
            Files.write(zip, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0});
            Files.write(
                    legacy,
                    new byte[] {
                        (byte) 0x80,
                        2,
                        (byte) 0x8a,
                        10,
                        0x6c,
                        (byte) 0xfc,
                        (byte) 0x9c,
                        0x46,
                        (byte) 0xf9,
                        0x20,
                        0x6a,
                        (byte) 0xa8
                    });
            for (Path p : new Path[] {zip, legacy}) {
                ModelFileException e =
                        assertThrows(
                                ModelFileException.class,
                                () -> PytorchStateDict.read(p, null, null, arena));
                assertTrue(
                        e.getMessage().contains("pickle")
                                && e.getMessage().contains("save_file(model.state_dict()"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aGruOrAPlainRnnIsNamedAsNotAnLstm() {
        // H = 4: a GRU's 3H = 12 rows divide by 4, so they once read as an LSTM of H = 3 and failed
        // on weight_hh's shape
        int input = 5, hidden = 4;
        try (Arena arena = Arena.ofConfined()) {
            for (int gates : new int[] {3, 1}) {
                Path p = dir.resolve("rnn" + gates + ".safetensors");
                new SafetensorsWriter()
                        .add(
                                "gru.weight_ih_l0",
                                new long[] {gates * hidden, input},
                                random(gates * hidden * input, 1, 1))
                        .add(
                                "gru.weight_hh_l0",
                                new long[] {gates * hidden, hidden},
                                random(gates * hidden * hidden, 2, 1))
                        .add(
                                "gru.bias_ih_l0",
                                new long[] {gates * hidden},
                                random(gates * hidden, 3, 1))
                        .add(
                                "gru.bias_hh_l0",
                                new long[] {gates * hidden},
                                random(gates * hidden, 4, 1))
                        .write(p);
                ModelFileException e =
                        assertThrows(
                                ModelFileException.class,
                                () -> PytorchStateDict.read(p, null, null, arena));
                assertTrue(
                        e.getMessage()
                                .contains(
                                        gates == 3
                                                ? "not an LSTM (3H rows: a GRU?)"
                                                : "not an LSTM (H rows: an nn.RNN?)"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("gru.weight_ih_l0"), e.getMessage());
            }
        }
    }
}
