package fdht.layout.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class names survive a file round trip, and every bad list is refused naming the problem. */
class ClassLabelsTest {
    @TempDir Path dir;

    private Path file(String labelsJson) {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().add("x", new long[] {1}, new float[] {1});
        if (labelsJson != null) w.metadata(ClassLabels.KEY, labelsJson);
        w.write(p);
        return p;
    }

    private List<String> read(Path p, int classes) {
        try (Arena arena = Arena.ofConfined()) {
            return ClassLabels.read(SafetensorsFile.open(p, arena), classes);
        }
    }

    @Test
    void namesRoundTripThroughAFile() {
        List<String> names =
                List.of("T-shirt/top +x", "say \"hi\"\\", "Ünïcödé\n-y", "x".repeat(256));
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().add("x", new long[] {1}, new float[] {1});
        ClassLabels.write(w, names);
        w.write(p);
        assertEquals(names, read(p, 4));
        assertEquals(List.of(), read(file(null), 4), "no entry, no names");
        ClassLabels.write(w, List.of()); // nothing
    }

    @Test
    void aBadListIsAModelFileExceptionNamingTheProblem() {
        String[][] cases = {
            {"[\"a\", \"b\"]", "names 2 classes but the head has 3"},
            {"{\"a\": 1}", "is not a JSON array of strings"},
            {"[\"a\", 2, \"c\"]", "entry 1 is not a string"},
            {"[\"a\", \"\", \"c\"]", "entry 1 is empty"},
            {
                "[\"a\", \"" + "y".repeat(257) + "\", \"c\"]",
                "entry 1 has 257 characters, more than 256"
            },
            {"[\"a\", \"b\"", "is not JSON"},
        };
        for (String[] c : cases) {
            ModelFileException e =
                    assertThrows(ModelFileException.class, () -> read(file(c[0]), 3), c[0]);
            assertTrue(
                    e.getMessage().contains("'fdht.labels' " + c[1])
                            && e.getMessage().contains("m.safetensors"),
                    e.getMessage());
        }
        ModelFileException e =
                assertThrows(ModelFileException.class, () -> read(file("[\"a\"]"), 0));
        assertTrue(e.getMessage().contains("no head"), e.getMessage());
        String huge = "[" + "\"abcdefgh\",".repeat(120_000) + "\"a\"]";
        e = assertThrows(ModelFileException.class, () -> read(file(huge), 120_001));
        assertTrue(e.getMessage().contains("more than 1048576"), e.getMessage());
        SafetensorsWriter w = new SafetensorsWriter();
        IllegalArgumentException a =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ClassLabels.write(w, List.of("a", "")));
        assertTrue(a.getMessage().contains("label 1 is empty"), a.getMessage());
    }
}
