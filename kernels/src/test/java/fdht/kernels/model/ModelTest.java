package fdht.kernels.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.LstmModelFile;
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
    void classNamesGoIntoTheFileAndComeBackAndABadListIsRefused() throws Exception {
        Path file = dir.resolve("named.safetensors");
        try (Arena arena = Arena.ofShared()) {
            LstmStack stack = Fixtures.bidirectional(arena, true);
            LstmModelFile.write(stack, List.of("cat", "dog", "eel \"e\""), file);
            try (Model m = Model.load(file)) {
                assertEquals(List.of("cat", "dog", "eel \"e\""), m.labels());
                assertEquals("named", m.name());
            }
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> LstmModelFile.write(stack, List.of("cat"), file));
            assertTrue(
                    e.getMessage().contains("1 class names for a head of 3 classes"),
                    e.getMessage());
        }
        // the same file with a list of the wrong length: every reader refuses it
        String header =
                new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        String cat = "\\\"cat\\\", "; // as the header holds it, JSON in a JSON string
        assertTrue(header.contains(cat), header);
        Files.writeString( // the same length, so the header stays whole
                file,
                header.replace(cat, " ".repeat(cat.length())),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        ModelFileException m = assertThrows(ModelFileException.class, () -> Model.load(file));
        assertTrue(
                m.getMessage().contains("'fdht.labels' names 2 classes but the head has 3"),
                m.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(ModelFileException.class, () -> LstmModelFile.readStack(file, arena));
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
