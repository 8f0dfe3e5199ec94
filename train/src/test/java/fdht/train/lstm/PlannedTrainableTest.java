package fdht.train.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.PlannedProjection;
import fdht.layout.io.SafetensorsFile;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one trainable of every planned format: its parameters are the model file's tensors by name,
 * and a model written, read and made trainable again has every parameter it had. A format added to
 * {@link LayerFormat#PLANNED_KEYS} is tested here without a line of this test changing (its
 * gradients: add it to {@link BpttGradientProperties#kind}).
 */
class PlannedTrainableTest {
    static final int N = 5, H = 2, C = 3;

    @TempDir Path dir;

    static Stream<String> plannedKeys() {
        return LayerFormat.PLANNED_KEYS.stream();
    }

    @ParameterizedTest
    @MethodSource("plannedKeys")
    void parametersAreTheModelFilesTensorsAndSurviveARoundTrip(String key) throws Exception {
        LayerFormat format =
                LayerFormat.parse(
                        key,
                        RankSpec.parse("2"),
                        N,
                        H,
                        new GateFactors(3, new int[] {2, 2, 2}, null, null, true));
        try (Arena arena = Arena.ofConfined()) {
            TrainableLstm model = TrainableLstm.initial(format, C, 7, arena);
            BpttGradientProperties.randomise(model, new SplittableRandom(8));
            assertEquals(format, model.projection().format());
            Path p = dir.resolve(key + ".safetensors");
            model.write(p);
            Set<String> names = new TreeSet<>();
            for (Parameter q : model.parameters()) names.add(q.name());
            try (Arena scratch = Arena.ofConfined()) {
                assertEquals(
                        new TreeSet<>(SafetensorsFile.open(p, scratch).tensors().keySet()),
                        names,
                        key);
            }
            var read = LstmModelFile.read(p, arena);
            PlannedProjection projection = (PlannedProjection) read.projection();
            assertEquals(
                    ((LayerFormat.Planned) format).coversHidden(),
                    projection.hiddenWeights().isEmpty(),
                    key);
            TrainableLstm again = TrainableLstm.from(read, C, 9, arena);
            float[][] before = model.snapshot(), after = again.snapshot();
            assertEquals(before.length, after.length);
            for (int i = 0; i < before.length; i++)
                assertArrayEquals(before[i], after[i], model.parameters().get(i).name());
            assertTrue(again.describe().startsWith(format.describe()), again.describe());
        }
    }

    @ParameterizedTest
    @MethodSource("plannedKeys")
    void aDenseWhIsThereExactlyWhenTheMatrixLeavesHOut(String key) {
        var format =
                (LayerFormat.Planned)
                        LayerFormat.parse(key, RankSpec.parse("2"), N, H, GateFactors.defaults(3));
        try (Arena arena = Arena.ofConfined()) {
            TrainableLstm model = TrainableLstm.initial(format, C, 1, arena);
            Parameter last = model.projection().parameters().getLast();
            if (format.coversHidden()) {
                assertTrue(last.name().startsWith(LstmModelFile.nodePrefix(format.matrix())));
                assertNull(
                        ((PlannedProjection) model.projection().export(arena))
                                .hiddenWeights()
                                .orElse(null));
            } else {
                assertEquals(LstmModelFile.HIDDEN_WEIGHTS, last.name());
                assertEquals(4L * H * H, last.size());
            }
        }
    }
}
