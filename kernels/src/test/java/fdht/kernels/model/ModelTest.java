package fdht.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.io.ModelFileException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, describing and closing a model. */
class ModelTest {
    @TempDir Path dir;

    @Test
    void theBundledModelDescribesItself() {
        try (Model m = Model.load(Fixtures.bundled())) {
            assertEquals("mfm40-fdht-r4", m.name());
            assertEquals(4096, m.inputSize());
            assertEquals(128, m.hiddenSize());
            assertEquals(1, m.layers());
            assertEquals(1, m.directions());
            assertEquals(128, m.outputSize());
            assertEquals(40, m.classes());
            assertTrue(m.hasHead());
            assertTrue(m.streamable());
            assertEquals(1312, m.parameterCount());
            assertEquals(40 * 128 + 40, m.headParameterCount());
            assertEquals(40, m.labels().size());
            assertTrue(m.describe().startsWith("mfm40-fdht-r4: FDHT-LSTM"), m.describe());
            assertTrue(m.describe().contains("1,312 LSTM weights"), m.describe());
            assertTrue(m.format(0, 0) instanceof LayerFormat.Fdht, m.format(0, 0).toString());
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> m.format(0, 1));
            assertTrue(e.getMessage().contains("a direction in 0..0"), e.getMessage());
        }
    }

    @Test
    void aBidirectionalStackIsNotStreamableAndLabelsAreChecked() {
        try (Arena arena = Arena.ofShared()) {
            LstmStack stack = Fixtures.bidirectional(arena, true);
            try (Model m = Model.of(stack, List.of("a", "b", "c"))) {
                assertEquals(2, m.directions());
                assertEquals(2, m.layers());
                assertEquals(8, m.outputSize());
                assertTrue(!m.streamable());
                assertEquals(List.of("a", "b", "c"), m.labels());
            }
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> Model.of(stack, List.of("a")));
            assertTrue(
                    e.getMessage()
                            .contains("1 labels given, expected one per class of the head: 3"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Model.of(Fixtures.single(arena, false), List.of("a")));
            assertTrue(e.getMessage().contains("(the model has no head)"), e.getMessage());
            assertEquals(List.of("0", "1", "2"), Model.of(stack, List.of()).labels());
        }
    }

    @Test
    void aFileFdhtCannotReadIsAModelFileExceptionNamingIt() throws Exception {
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "not a model");
        ModelFileException e = assertThrows(ModelFileException.class, () -> Model.load(junk));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
        assertThrows(ModelFileException.class, () -> Model.load(dir.resolve("none.safetensors")));
    }

    @Test
    void everyUseOfAClosedModelSaysItIsClosed() {
        Model m = Model.load(Fixtures.bundled());
        m.close();
        m.close();
        List<Consumer<Model>> uses = new ArrayList<>();
        uses.add(Model::stack);
        uses.add(Model::newPredictor);
        uses.add(x -> x.newPredictor(1, 1));
        uses.add(x -> x.score(ClipSource.of(new float[1][1][4096]), BulkOptions.DEFAULT));
        uses.add(
                x ->
                        x.score(
                                ClipSource.of(new float[1][1][4096]),
                                BulkOptions.DEFAULT,
                                (first, n, y, h) -> {}));
        for (Consumer<Model> use : uses) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> use.accept(m));
            assertEquals("model mfm40-fdht-r4 is closed", e.getMessage());
        }
        assertEquals(4096, m.inputSize(), "what it is can still be asked");
        assertTrue(m.toString().contains("closed"));
    }
}
