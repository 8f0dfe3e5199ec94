package fdht.kernels.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The docs' embedding examples (the first {@code java} block under README.md's "## Embedding it",
 * and under docs/OVERVIEW.md's "## Embedding: the kernels underneath") are the code {@link
 * ReadmeExampleTest} runs between its markers, up to whitespace (a formatter may break lines
 * differently), so the two cannot drift apart. README's first line, the model's path from the
 * repository's root, is {@link ReadmeExampleTest#README_FIRST_LINE}.
 */
class ReadmeSyncTest {
    private static final Path MODULE =
            Path.of("").toAbsolutePath(); // surefire runs in the module directory

    @Test
    void readmeEmbeddingExampleIsTheTestedCode() throws IOException {
        check(
                MODULE.resolveSibling("README.md"),
                "## Embedding it",
                ReadmeExampleTest.README_FIRST_LINE,
                "README");
    }

    @Test
    void overviewLowLevelExampleIsTheTestedCode() throws IOException {
        check(
                MODULE.resolveSibling("docs/OVERVIEW.md"),
                "## Embedding: the kernels underneath",
                "",
                "OVERVIEW");
    }

    /**
     * The {@code java} block after {@code heading} in {@code doc} is {@code firstLine} followed by
     * the test's code between {@code MARKER-BEGIN} and {@code MARKER-END}.
     */
    private static void check(Path doc, String heading, String firstLine, String marker)
            throws IOException {
        List<String> shownLines = Files.readAllLines(doc);
        List<String> test =
                Files.readAllLines(
                        MODULE.resolve("src/test/java/fdht/kernels/lstm/ReadmeExampleTest.java"));
        String shown =
                normalise(between(shownLines, indexOf(shownLines, heading, 0), "```java", "```"));
        String run =
                normalise(
                        List.of(
                                firstLine,
                                String.join(
                                        "\n",
                                        between(
                                                test,
                                                0,
                                                "// " + marker + "-BEGIN",
                                                "// " + marker + "-END"))));
        assertTrue(shown.length() > 200, doc + "'s example is only " + shown);
        int at = 0;
        while (at < Math.min(shown.length(), run.length()) && shown.charAt(at) == run.charAt(at))
            at++;
        if (at < shown.length() || at < run.length()) {
            int from = Math.max(0, at - 40);
            assertEquals(
                    run.substring(from, Math.min(run.length(), at + 60)),
                    shown.substring(from, Math.min(shown.length(), at + 60)),
                    doc.getFileName()
                            + "'s embedding example differs from ReadmeExampleTest at character "
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
