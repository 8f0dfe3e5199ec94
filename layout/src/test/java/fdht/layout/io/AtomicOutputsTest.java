package fdht.layout.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputsTest {
    @TempDir Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void committedOutputsAppearTogetherAndReplaceOldOnes() throws IOException {
        Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        Files.write(a, bytes("old a"));
        try (AtomicOutputs o = new AtomicOutputs()) {
            o.file(a);
            o.file(b);
            o.write(a, out -> out.write(bytes("new a")));
            Files.write(o.staging(b), bytes("new b")); // any writer of a path will do
            assertEquals("old a", Files.readString(a), "nothing moves before commit");
            assertFalse(Files.exists(b));
            o.commit();
        }
        assertEquals("new a", Files.readString(a));
        assertEquals("new b", Files.readString(b));
        assertEquals(List.of("a.txt", "b.txt"), names(dir), "no staging or backup file left");
    }

    @Test
    void aFailureBeforeCommitLeavesNothingAndKeepsTheOldFiles() throws IOException {
        Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        Files.write(b, bytes("old b"));
        ModelFileException e =
                assertThrows(
                        ModelFileException.class,
                        () -> {
                            try (AtomicOutputs o = new AtomicOutputs()) {
                                o.file(a);
                                o.file(b);
                                o.write(a, out -> out.write(bytes("new a")));
                                o.write(
                                        b,
                                        out -> {
                                            out.write(bytes("half"));
                                            throw new IOException("disk full");
                                        });
                                o.commit();
                            }
                        });
        assertTrue(e.getMessage().startsWith(b + ": cannot write: disk full"), e.getMessage());
        assertEquals(List.of("b.txt"), names(dir), "a.txt staged but not committed: gone");
        assertEquals("old b", Files.readString(b));
    }

    @Test
    void outputsAreCheckedWhenDeclaredBeforeAnyWork() throws IOException {
        Path ok = dir.resolve("ok.npy");
        try (AtomicOutputs o = new AtomicOutputs()) {
            o.file(ok);
            ModelFileException missing =
                    assertThrows(
                            ModelFileException.class, () -> o.file(dir.resolve("no/such/y.npy")));
            assertEquals(
                    dir.resolve("no/such/y.npy")
                            + ": cannot be written: the directory "
                            + dir.resolve("no/such")
                            + " does not exist",
                    missing.getMessage());
            Files.write(dir.resolve("plain"), bytes("x"));
            assertTrue(
                    assertThrows(ModelFileException.class, () -> o.file(dir.resolve("plain/y.npy")))
                            .getMessage()
                            .endsWith("plain is not a directory"));
            assertTrue(
                    assertThrows(ModelFileException.class, () -> o.file(dir))
                            .getMessage()
                            .endsWith("is a directory, not a file"));
            assertTrue(
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> o.file(dir.resolve("x/../ok.npy")))
                            .getMessage()
                            .contains("named as two outputs"));
            assertEquals(null, o.file(null), "an option not given declares nothing");
            assertThrows(IllegalArgumentException.class, () -> o.staging(dir.resolve("other")));
            assertThrows(IllegalStateException.class, o::commit, "ok.npy was never written");
        }
        assertEquals(List.of("plain"), names(dir));
    }

    @Test
    void directoriesItCreatedGoAgainWhenNothingWasCommitted() throws IOException {
        Path out = dir.resolve("new/sub");
        try (AtomicOutputs o = new AtomicOutputs()) {
            o.fileIn(out, "x.csv");
            o.fileIn(out, "x.png");
            assertTrue(Files.isDirectory(out), "created when declared, before any work");
            o.write(out.resolve("x.csv"), w -> w.write(bytes("csv")));
        }
        assertEquals(List.of(), names(dir), "new/sub and new removed: nothing was committed");

        try (AtomicOutputs o = new AtomicOutputs()) {
            Path csv = o.fileIn(out, "x.csv");
            o.write(csv, w -> w.write(bytes("csv")));
            o.commit();
        }
        assertEquals(List.of("x.csv"), names(out), "committed: the directories stay");
    }

    @Test
    void aCommitThatCannotMoveOneOutputUndoesTheOthers() throws IOException {
        Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        Files.write(a, bytes("old a"));
        try (AtomicOutputs o = new AtomicOutputs()) {
            o.file(a);
            o.file(b);
            o.write(a, w -> w.write(bytes("new a")));
            o.write(b, w -> w.write(bytes("new b")));
            // b becomes a non-empty directory after it was declared: its rename must fail
            Files.createDirectories(b.resolve("blocker"));
            ModelFileException e = assertThrows(ModelFileException.class, o::commit);
            assertTrue(e.getMessage().startsWith(b + ": cannot write"), e.getMessage());
        }
        assertEquals("old a", Files.readString(a), "a's old content restored");
        assertEquals(List.of("a.txt", "b.txt"), names(dir), "no staging or backup file left");
        assertEquals(List.of("blocker"), names(b));
    }
}
