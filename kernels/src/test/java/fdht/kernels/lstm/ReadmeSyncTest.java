package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's embedding example (the {@code java} block under "## Embedding it") is the code
 * {@link ReadmeExampleTest} runs between its README-BEGIN and README-END markers, line for line up
 * to whitespace, so the two cannot drift apart.
 */
class ReadmeSyncTest {
    private static final Path MODULE = Path.of("").toAbsolutePath(); // surefire runs in the module directory

    @Test
    void readmeEmbeddingExampleIsTheTestedCode() throws IOException {
        List<String> readme = Files.readAllLines(MODULE.resolveSibling("README.md"));
        List<String> test = Files.readAllLines(MODULE.resolve("src/test/java/fdht/kernels/lstm/ReadmeExampleTest.java"));
        List<String> shown = normalise(between(readme, indexOf(readme, "## Embedding it", 0), "```java", "```"));
        List<String> run = normalise(between(test, 0, "// README-BEGIN", "// README-END"));
        assertTrue(shown.size() > 5, "README's example is only " + shown);
        for (int i = 0; i < Math.min(shown.size(), run.size()); i++) {
            assertEquals(run.get(i), shown.get(i), "README.md's embedding example differs from ReadmeExampleTest at line " + (i + 1));
        }
        assertEquals(run.size(), shown.size(), "README.md's embedding example and ReadmeExampleTest differ in length");
    }

    /** The lines strictly between the first {@code open} at or after {@code from} and the next {@code close}. */
    private static List<String> between(List<String> lines, int from, String open, String close) {
        int start = indexOf(lines, open, from) + 1;
        return lines.subList(start, indexOf(lines, close, start));
    }

    private static int indexOf(List<String> lines, String marker, int from) {
        for (int i = from; i < lines.size(); i++) if (lines.get(i).strip().equals(marker)) return i;
        throw new IllegalStateException("'" + marker + "' not found after line " + (from + 1));
    }

    /** Each line with its whitespace runs folded to one space; blank lines dropped. */
    private static List<String> normalise(List<String> lines) {
        return lines.stream().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
    }
}
