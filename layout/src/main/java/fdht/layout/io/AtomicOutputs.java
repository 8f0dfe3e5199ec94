package fdht.layout.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output files of one command, which appear together or not at all. Declare every output before
 * any work ({@link #file}, {@link #fileIn}): a missing directory, a directory that is not writable,
 * a target that is a directory or a file named twice fails there, before anything is computed. Then
 * write each output to its {@link #staging} path (a hidden file beside the target) and {@link
 * #commit}: every staged file is renamed over its target; should one rename fail, the targets
 * already renamed are taken back and the files they replaced restored. {@link #close} removes what
 * was staged but not committed, and the directories {@link #fileIn} created if they are still
 * empty, so a failed command leaves the disk as it found it.
 *
 * <p>Costs: one rename per output on commit, two when it replaces a file (the old one is moved
 * aside until all are in). A crash between those renames can leave a hidden {@code .NAME.*.old}
 * beside a target. Not thread-safe: one command declares, commits and closes it from one thread;
 * the staged files themselves may be written from any thread.
 */
public final class AtomicOutputs implements AutoCloseable {
    /** Declared targets (absolute, normalised) to their staging paths, in declaration order. */
    private final Map<Path, Path> staging = new LinkedHashMap<>();

    private final List<Path> createdDirectories = new ArrayList<>();
    private final String stamp =
            ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    private boolean committed;

    /**
     * Declares {@code target} an output (nothing when it is null, an option not given) and returns
     * it. Throws a {@link ModelFileException} naming the target when its directory is missing or
     * not writable or the target is a directory, an {@link IllegalArgumentException} when it was
     * declared already.
     */
    public Path file(Path target) {
        if (target == null) return null;
        if (committed) throw new IllegalStateException("these outputs are committed already");
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null)
            throw new ModelFileException(target, null, "is not a file name");
        if (staging.containsKey(abs))
            throw new IllegalArgumentException(
                    target + " is named as two outputs; give each its own file");
        String shown = target.getParent() != null ? target.getParent().toString() : dir.toString();
        if (!Files.isDirectory(dir))
            throw new ModelFileException(
                    target,
                    null,
                    "cannot be written: "
                            + (Files.exists(dir)
                                    ? shown + " is not a directory"
                                    : "the directory " + shown + " does not exist"));
        if (!Files.isWritable(dir))
            throw new ModelFileException(
                    target, null, "cannot be written: the directory " + shown + " is read-only");
        if (Files.isDirectory(abs))
            throw new ModelFileException(target, null, "is a directory, not a file");
        staging.put(abs, dir.resolve("." + abs.getFileName() + "." + stamp + ".tmp"));
        return target;
    }

    /**
     * Declares the output {@code name} in {@code dir}, creating {@code dir} (and its parents) when
     * missing; {@link #close} removes the directories it created if nothing was committed into
     * them. Returns the target.
     */
    public Path fileIn(Path dir, String name) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs))
            throw new ModelFileException(dir, null, "is not a directory");
        List<Path> missing = new ArrayList<>();
        for (Path d = abs; d != null && !Files.exists(d); d = d.getParent()) missing.add(0, d);
        try {
            for (Path d : missing) {
                Files.createDirectory(d);
                createdDirectories.add(d);
            }
        } catch (IOException e) {
            throw new ModelFileException(dir, null, "cannot create the directory: " + e, e);
        }
        return file(dir.resolve(name));
    }

    /** The file to write {@code target}'s content to (the target must have been declared). */
    public Path staging(Path target) {
        Path s = staging.get(target.toAbsolutePath().normalize());
        if (s == null)
            throw new IllegalArgumentException(target + " was not declared as an output");
        return s;
    }

    /**
     * Writes {@code target}'s content through {@code body} to its staging file; a failure is a
     * {@link ModelFileException} naming the target.
     */
    public void write(Path target, AtomicFile.Body body) {
        try (OutputStream out = Files.newOutputStream(staging(target))) {
            body.writeTo(out);
        } catch (IOException e) {
            throw new ModelFileException(target, null, "cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Moves every staged output over its target, all or none. Throws an {@link
     * IllegalStateException} when a declared output was not written (a bug of the caller), a {@link
     * ModelFileException} naming the target that could not be moved (the others then stand as they
     * were).
     */
    public void commit() {
        if (committed) throw new IllegalStateException("these outputs are committed already");
        for (var e : staging.entrySet()) {
            if (!Files.isRegularFile(e.getValue(), LinkOption.NOFOLLOW_LINKS))
                throw new IllegalStateException("nothing was written for " + e.getKey());
        }
        List<Move> moves = new ArrayList<>();
        Path current = null;
        try {
            for (var e : staging.entrySet()) {
                current = e.getKey();
                Move m = new Move(current);
                moves.add(m);
                if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS))
                    throw new IOException("a directory is there now");
                if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                    Path backup =
                            current.resolveSibling(
                                    "." + current.getFileName() + "." + stamp + ".old");
                    Files.move(current, backup, StandardCopyOption.ATOMIC_MOVE);
                    m.backup = backup;
                }
                Files.move(e.getValue(), current, StandardCopyOption.ATOMIC_MOVE);
                m.installed = true;
            }
        } catch (IOException e) {
            for (int i = moves.size() - 1; i >= 0; i--) moves.get(i).undo();
            throw new ModelFileException(current, null, "cannot write: " + e.getMessage(), e);
        }
        committed = true;
        for (Move m : moves) deleteQuietly(m.backup);
    }

    /** One target's part of a commit, so a failed commit can be undone. */
    private static final class Move {
        final Path target;
        Path backup; // where the file it replaces waits, or null
        boolean installed;

        Move(Path target) {
            this.target = target;
        }

        void undo() {
            if (installed) deleteQuietly(target);
            if (backup != null) {
                try {
                    Files.move(backup, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException ignored) {
                    // the old file stays beside the target under its hidden name: nothing is lost
                }
            }
        }
    }

    /**
     * Removes what was staged and not committed, and the directories {@link #fileIn} created that
     * are still empty. Never throws: it runs while another failure is on its way.
     */
    @Override
    public void close() {
        if (committed) return;
        for (Path s : staging.values()) deleteQuietly(s);
        for (int i = createdDirectories.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(createdDirectories.get(i));
            } catch (DirectoryNotEmptyException ignored) {
                // something else put a file there meanwhile: keep it
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the failure being reported matters more
        }
    }
}
