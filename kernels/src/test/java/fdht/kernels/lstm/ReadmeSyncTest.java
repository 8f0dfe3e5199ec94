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
 * {@link ReadmeExampleTest} runs between its README-BEGIN and README-END markers, up to whitespace
 * (a formatter may break lines differently), so the two cannot drift apart.
 */
class ReadmeSyncTest {
    private static final Path MODULE =
            Path.of("").toAbsolutePath(); // surefire runs in the module directory

    @Test
    void readmeEmbeddingExampleIsTheTestedCode() throws IOException {
        List<String> readme = Files.readAllLines(MODULE.resolveSibling("README.md"));
        List<String> test =
                Files.readAllLines(
                        MODULE.resolve("src/test/java/fdht/kernels/lstm/ReadmeExampleTest.java"));
        String shown =
                normalise(between(readme, indexOf(readme, "## Embedding it", 0), "```java", "```"));
        String run = normalise(between(test, 0, "// README-BEGIN", "// README-END"));
        assertTrue(shown.length() > 200, "README's example is only " + shown);
        int at = 0;
        while (at < Math.min(shown.length(), run.length()) && shown.charAt(at) == run.charAt(at))
            at++;
        if (at < shown.length() || at < run.length()) {
            int from = Math.max(0, at - 40);
            assertEquals(
                    run.substring(from, Math.min(run.length(), at + 60)),
                    shown.substring(from, Math.min(shown.length(), at + 60)),
                    "README.md's embedding example differs from ReadmeExampleTest at character "
                            + at
                            + " (whitespace folded)");
        }
    }

    /**
     * The lines strictly between the first {@code open} at or after {@code from} and the next
     * {@code close}.
     */
    private static List<String> between(List<String> lines, int from, String open, String close) {
        int start = indexOf(lines, open, from) + 1;
        return lines.subList(start, indexOf(lines, close, start));
    }

    private static int indexOf(List<String> lines, String marker, int from) {
        for (int i = from; i < lines.size(); i++) if (lines.get(i).strip().equals(marker)) return i;
        throw new IllegalStateException("'" + marker + "' not found after line " + (from + 1));
    }

    /**
     * The lines as one text with every run of whitespace, line breaks included, folded to one
     * space.
     */
    private static String normalise(List<String> lines) {
        return String.join(" ", lines).strip().replaceAll("\\s+", " ");
    }
}
