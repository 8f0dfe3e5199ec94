package fdht.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.io.ModelFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorModelsTest {
    @TempDir Path dir;

    @Test
    void aModelShippedWithTheJobIsFoundWhereTheDriversPathIsNot() throws Exception {
        JavaSparkContext jsc =
                JavaSparkContext.fromSparkContext(SparkFixture.spark().sparkContext());
        Path model = SparkFixture.model(dir, 31);
        ModelRef ref = ModelRef.of(model);
        Path shipped =
                Files.createDirectory(dir.resolve("ship")).resolve("fdht-shipped-31.safetensors");
        Files.copy(model, shipped);
        jsc.addFile(shipped.toString()); // what spark-submit --files does
        // a reference whose driver path does not exist on the "executor", to the same bytes under
        // the shipped name
        ModelRef elsewhere =
                new ModelRef(
                        "/nonexistent/driver/dir/fdht-shipped-31.safetensors",
                        ref.size(),
                        ref.crc32c());
        List<String> found =
                jsc.parallelize(List.of(1), 1)
                        .map(x -> ExecutorModels.locate(elsewhere).toString())
                        .collect();
        assertTrue(
                found.get(0).endsWith("fdht-shipped-31.safetensors")
                        && !found.get(0).startsWith("/nonexistent"),
                found.get(0));
        assertEquals(
                SparkFixture.HIDDEN,
                jsc.parallelize(List.of(1), 1)
                        .map(x -> ExecutorModels.get(elsewhere).hiddenSize())
                        .collect()
                        .get(0));
    }

    @Test
    void aModelFileChangedSinceTheJobStartedIsRefused() throws Exception {
        Path model = SparkFixture.model(dir, 32);
        ModelRef ref = ModelRef.of(model);
        Files.copy(
                SparkFixture.model(dir, 33),
                model,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING); // same size, other weights
        ModelFileException e =
                assertThrows(ModelFileException.class, () -> ExecutorModels.load(ref));
        assertTrue(
                e.getMessage().contains("is not the model the job was started with"),
                e.getMessage());
        ModelFileException missing =
                assertThrows(
                        ModelFileException.class,
                        () ->
                                ExecutorModels.locate(
                                        new ModelRef("/nonexistent/m.safetensors", 1, 2)));
        assertTrue(missing.getMessage().contains("spark-submit --files"), missing.getMessage());
    }
}
