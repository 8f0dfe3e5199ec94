package fdht.spark;

import fdht.kernels.lstm.Lstm;
import fdht.kernels.model.Model;
import fdht.layout.io.ModelFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * The models of this JVM (an executor, or the driver in local mode): each model file is read once,
 * keyed by {@link ModelRef} (path, size, checksum), as a {@link Model} (any file {@code fdht infer}
 * runs: one layer or a stack, one direction or both) shared by every task of the JVM (it is
 * immutable and thread-safe; each task makes its own {@link fdht.kernels.model.Predictor}). Its
 * weights live in the model's shared arena, never closed: a model costs its weights (KB for FDHT)
 * for the JVM's life, once.
 *
 * <p>Models run with {@link Lstm.NonFinite#PROPAGATE}: the scorer checks every clip for NaN and
 * infinity itself while copying it in, so that a bad clip gets its own error instead of failing the
 * batch it would have run in; the kernels need not check again.
 *
 * <p>Where the file is: the driver's path if it is readable here (local mode, a shared file
 * system), else the copy {@code spark-submit --files} (or {@code SparkContext.addFile}) put in this
 * executor's work directory. Either way its checksum must match the reference.
 *
 * <p>Thread safety: safe from any thread; concurrent first uses of one model load it once.
 */
public final class ExecutorModels {
    private static final ConcurrentHashMap<ModelRef, Model> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /** The model of {@code ref}, read on first use in this JVM. */
    public static Model get(ModelRef ref) {
        return MODELS.computeIfAbsent(ref, ExecutorModels::load);
    }

    /** How many model files this JVM has read so far (one per distinct reference). */
    public static int loads() {
        return LOADS.get();
    }

    /** Reads the model of {@code ref} now, bypassing the cache (tests). */
    static Model load(ModelRef ref) {
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
        Model model =
                Model.load(file, Model.Options.DEFAULT.withNonFinite(Lstm.NonFinite.PROPAGATE));
        LOADS.incrementAndGet();
        return model;
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
