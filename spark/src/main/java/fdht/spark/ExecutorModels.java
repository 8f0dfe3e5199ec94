package fdht.spark;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.io.ModelFileException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * The models of this JVM (an executor, or the driver in local mode): each model file is read once,
 * keyed by {@link ModelRef} (path, size, checksum), and the {@link Lstm} is shared by every task of
 * the JVM (it is immutable and thread-safe). Its weights live in a shared arena that is never
 * closed: a model costs its weights (KB for FDHT) for the JVM's life, once.
 *
 * <p>Where the file is: the driver's path if it is readable here (local mode, a shared file
 * system), else the copy {@code spark-submit --files} (or {@code SparkContext.addFile}) put in this
 * executor's work directory. Either way its checksum must match the reference.
 *
 * <p>Thread safety: safe from any thread; concurrent first uses of one model load it once.
 */
public final class ExecutorModels {
    private static final ConcurrentHashMap<ModelRef, Lstm> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /** The model of {@code ref}, read on first use in this JVM. */
    public static Lstm get(ModelRef ref) {
        return MODELS.computeIfAbsent(ref, ExecutorModels::load);
    }

    /** How many model files this JVM has read so far (one per distinct reference). */
    public static int loads() {
        return LOADS.get();
    }

    /** Reads the model of {@code ref} now, bypassing the cache (tests). */
    static Lstm load(ModelRef ref) {
        Path file = locate(ref);
        long size = ModelRef.sizeOf(file), crc = ModelRef.checksum(file);
        if (size != ref.size() || crc != ref.crc32c()) {
            throw new ModelFileException(
                    file,
                    null,
                    String.format(
                            "is not the model the job was started with (size %d, CRC-32C %08x here; %d, %08x on the driver)",
                            size, crc, ref.size(), ref.crc32c()));
        }
        Lstm lstm = LstmModelFile.read(file, Arena.ofShared());
        LOADS.incrementAndGet();
        return lstm;
    }

    /** The file of {@code ref} on this JVM. */
    static Path locate(ModelRef ref) {
        Path driverPath = Path.of(ref.path());
        if (Files.isReadable(driverPath)) return driverPath;
        if (TaskContext.get() != null) {
            Path shipped = Path.of(SparkFiles.get(ref.fileName()));
            if (Files.isReadable(shipped)) return shipped;
        }
        throw new ModelFileException(
                driverPath,
                null,
                "is not readable on this executor, and no file '"
                        + ref.fileName()
                        + "' was shipped with the job (spark-submit --files "
                        + ref.path()
                        + ")");
    }
}
