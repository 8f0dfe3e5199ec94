package fdht.serve.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The JSON tensors, read as a stream of numbers: every value exact, every malformed part named. */
class InferRequestTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static InferRequest parse(String body) {
        return InferRequest.parse(body.getBytes(StandardCharsets.UTF_8), -1, JSON);
    }

    static String message(String body) {
        return assertThrows(OipException.class, () -> parse(body)).getMessage();
    }

    @Test
    void numbersAreReadExactlyFlatOrNestedAndTheRestOfTheTreeIsKept() {
        SplittableRandom r = new SplittableRandom(5);
        float[] v = new float[6];
        StringBuilder flat = new StringBuilder(), nested = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2e3 - 1e3) * (i == 3 ? 1e-30f : 1f);
            flat.append(i == 0 ? "" : ",").append(v[i]);
            nested.append(i % 3 == 0 ? (i == 0 ? "[" : "],[") : ",").append(v[i]);
        }
        nested.append("]]");
        v[5] = 7; // an integer among them
        String flatText = flat.substring(0, flat.lastIndexOf(",")) + ",7";
        String nestedText = nested.substring(0, nested.lastIndexOf(",")) + ",7]]";
        for (String data : new String[] {"[" + flatText + "]", nestedText}) {
            InferRequest q =
                    parse(
                            "{\"id\":\"a\",\"parameters\":{\"sequence_id\":3,\"sequence_start\":true},"
                                    + "\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":"
                                    + data
                                    + "}],\"outputs\":[{\"name\":\"logits\"}]}");
            assertArrayEquals(v, q.inputs().get(0).data(), data);
            assertEquals("a", q.id());
            assertEquals(3, q.sequenceId());
            assertTrue(q.sequenceStart());
            assertEquals(java.util.List.of("logits"), q.outputs());
        }
    }

    @Test
    void malformedTensorsAreNamed() {
        String head = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":";
        assertTrue(
                message(head + "[1,\"two\",3]}]}")
                        .contains("data holds string \"two\", expected numbers"));
        assertTrue(message(head + "[1,null,3]}]}").contains("data holds null"));
        assertTrue(message(head + "[1,{\"a\":1},3]}]}").contains("data holds object"));
        assertTrue(message(head + "[1,2]}]}").contains("needs 3 values, got 2"));
        // a shape claiming two billion values is refused from the values that came, not allocated
        String huge = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2000000000]";
        assertTrue(message(huge + ",\"data\":[1,2]}]}").contains("needs 2000000000 values, got 2"));
        assertTrue(
                message(huge + ",\"parameters\":{\"binary_data_size\":8000000000}}]}")
                        .contains("8000000000 bytes of binary data, only 0 left"));
        assertTrue(message(head + "[1,2,3,4,5]}]}").contains("needs 3 values, got 5"));
        assertTrue(message(head + "5}]}").contains("expected \"data\" (an array)"));
        assertTrue(message(head + "[1,2,3").contains("malformed JSON"));
        assertTrue(message("[1]").contains("expected a JSON object"));
        assertTrue(message("").contains("expected a JSON object"));
        assertTrue(message("{\"inputs\":[5]}").contains("inputs[]: expected an object"));
    }
}
