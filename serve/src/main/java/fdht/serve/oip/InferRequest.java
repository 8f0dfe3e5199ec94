package fdht.serve.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code POST /v2/models/{name}/infer} body: its FP32 inputs (from JSON {@code data} or
 * from Triton's binary tensor data after a JSON header of {@code Inference-Header-Content-Length}
 * bytes), the outputs asked for (and which of them as binary), and Triton's sequence parameters
 * ({@code sequence_id}, {@code sequence_start}, {@code sequence_end}). Every malformed part is an
 * {@link OipException} with status 400 naming it. Immutable.
 *
 * @param id the request's {@code id}, echoed in the response (null when absent)
 * @param inputs the input tensors, in request order
 * @param outputs the output names asked for (empty: the server's default)
 * @param binaryOutputs for each of {@code outputs}, whether it is wanted as binary data
 * @param binaryByDefault {@code parameters.binary_data_output}: binary for outputs not listed
 * @param sequenceId the sequence id, 0 when the request is not part of a sequence
 * @param sequenceStart whether it starts the sequence
 * @param sequenceEnd whether it ends the sequence
 */
public record InferRequest(
        String id,
        List<Tensor> inputs,
        List<String> outputs,
        List<Boolean> binaryOutputs,
        boolean binaryByDefault,
        long sequenceId,
        boolean sequenceStart,
        boolean sequenceEnd) {
    /**
     * Parses a body.
     *
     * @param body the whole body
     * @param jsonLength {@code Inference-Header-Content-Length}, or -1 when the body is all JSON
     * @param json the mapper
     * @return the request
     * @throws OipException (400) naming what is malformed
     */
    public static InferRequest parse(byte[] body, int jsonLength, ObjectMapper json) {
        if (jsonLength > body.length || jsonLength == 0 || jsonLength < -1)
            throw bad(
                    "Inference-Header-Content-Length "
                            + jsonLength
                            + " outside 1.."
                            + body.length
                            + " (the body's size)");
        int headerEnd = jsonLength < 0 ? body.length : jsonLength;
        Map<JsonNode, Numbers> data = new IdentityHashMap<>();
        JsonNode root;
        try (JsonParser p = json.createParser(body, 0, headerEnd)) {
            root = readRoot(p, json, data);
        } catch (JsonProcessingException e) {
            throw bad("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw bad("expected a JSON object with \"inputs\"");
        String id = root.hasNonNull("id") ? text(root.get("id"), "id") : null;
        JsonNode params = root.path("parameters");
        long sequenceId = 0;
        if (params.has("sequence_id")) {
            JsonNode s = params.get("sequence_id");
            if (!s.isIntegralNumber() || !s.canConvertToLong() || s.asLong() == 0)
                throw bad(
                        "parameters.sequence_id "
                                + s
                                + ": expected a non-zero integer (string ids are not supported)");
            sequenceId = s.asLong();
        }
        boolean start = flag(params, "sequence_start"), end = flag(params, "sequence_end");
        if ((start || end) && sequenceId == 0)
            throw bad("sequence_start or sequence_end without parameters.sequence_id");
        JsonNode in = root.get("inputs");
        if (in == null || !in.isArray() || in.isEmpty())
            throw bad("expected \"inputs\": a non-empty array");
        ByteBuffer binary =
                ByteBuffer.wrap(body, headerEnd, body.length - headerEnd)
                        .slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
        List<Tensor> inputs = new ArrayList<>();
        for (JsonNode t : in) inputs.add(input(t, binary, data.get(t)));
        if (binary.hasRemaining())
            throw bad(
                    binary.remaining() + " bytes of binary data past the inputs' binary_data_size");
        List<String> outputs = new ArrayList<>();
        List<Boolean> binaryOut = new ArrayList<>();
        JsonNode out = root.get("outputs");
        if (out != null) {
            if (!out.isArray()) throw bad("\"outputs\": expected an array");
            for (JsonNode o : out) {
                outputs.add(text(o.get("name"), "outputs[].name"));
                binaryOut.add(flag(o.path("parameters"), "binary_data"));
            }
        }
        return new InferRequest(
                id,
                List.copyOf(inputs),
                List.copyOf(outputs),
                List.copyOf(binaryOut),
                flag(params, "binary_data_output"),
                sequenceId,
                start,
                end);
    }

    /**
     * The body as a tree, except each input object's {@code "data"} array, whose numbers are read
     * straight into floats (into {@code data}, keyed by the input's node, which keeps an empty
     * {@code "data"} array): a frame is 4,096 numbers, and a tree of them cost more than the step
     * (JFR). Any other value of {@code "data"} stays in the tree, for {@link #input} to name.
     */
    private static JsonNode readRoot(JsonParser p, ObjectMapper json, Map<JsonNode, Numbers> data)
            throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        ObjectNode root = json.createObjectNode();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            if (p.nextToken() != JsonToken.START_ARRAY || !field.equals("inputs")) {
                root.set(field, json.readTree(p));
                continue;
            }
            ArrayNode inputs = root.putArray(field);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    inputs.add(json.<JsonNode>readTree(p));
                    continue;
                }
                ObjectNode input = inputs.addObject();
                for (JsonToken u = p.nextToken(); u == JsonToken.FIELD_NAME; u = p.nextToken()) {
                    String name = p.currentName();
                    if (p.nextToken() == JsonToken.START_ARRAY && name.equals("data")) {
                        Numbers n = new Numbers();
                        n.read(p, json);
                        data.put(input, n);
                        input.putArray(name);
                    } else input.set(name, json.readTree(p));
                }
            }
        }
        return root;
    }

    /** The numbers of a (nested) JSON array, row-major, or the first value that is not one. */
    private static final class Numbers {
        private float[] values = new float[4096];
        private int count;
        private JsonNode notANumber; // the first such value, for the error

        /** The values in an array of their own length (the one read into, when it fits). */
        float[] exactly() {
            return count == values.length ? values : Arrays.copyOf(values, count);
        }

        /** Reads the array the parser is at the start of, through its end. */
        void read(JsonParser p, ObjectMapper json) throws IOException {
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) throw new IOException("the data array is not closed");
                switch (t) {
                    case START_ARRAY -> depth++;
                    case END_ARRAY -> depth--;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        if (count == values.length)
                            values = Arrays.copyOf(values, Math.multiplyExact(count, 2));
                        values[count++] = p.getFloatValue();
                    }
                    default -> {
                        JsonNode v = json.readTree(p); // an object, string, boolean or null
                        if (notANumber == null) notANumber = v == null ? NullNode.instance : v;
                    }
                }
            }
        }
    }

    private static Tensor input(JsonNode t, ByteBuffer binary, Numbers numbers) {
        if (!t.isObject()) throw bad("inputs[]: expected an object");
        String name = text(t.get("name"), "inputs[].name");
        String type = text(t.get("datatype"), "input " + name + " datatype");
        if (!type.equals("FP32"))
            throw bad("input " + name + ": datatype " + type + ", expected FP32");
        JsonNode s = t.get("shape");
        if (s == null || !s.isArray() || s.isEmpty())
            throw bad("input " + name + ": expected \"shape\", a non-empty array");
        long[] shape = new long[s.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = s.get(i);
            if (!d.isIntegralNumber() || d.asLong() < 1 || d.asLong() > Integer.MAX_VALUE)
                throw bad("input " + name + ": shape " + s + ", expected positive integers");
            shape[i] = d.asLong();
            count = Math.multiplyExact(count, shape[i]);
            if (count > Integer.MAX_VALUE)
                throw bad("input " + name + ": shape " + s + " too large");
        }
        // a shape claims its size: nothing of that size is allocated before the body is seen to
        // hold it
        JsonNode size = t.path("parameters").get("binary_data_size");
        if (size != null) {
            if (!size.isIntegralNumber() || size.asLong() != 4L * count)
                throw bad(
                        "input "
                                + name
                                + ": binary_data_size "
                                + size
                                + ", expected 4 x "
                                + count
                                + " = "
                                + 4L * count
                                + " bytes of FP32");
            if (binary.remaining() < 4L * count)
                throw bad(
                        "input "
                                + name
                                + ": "
                                + 4L * count
                                + " bytes of binary data, only "
                                + binary.remaining()
                                + " left in the body");
            float[] data = new float[(int) count];
            binary.asFloatBuffer().get(data);
            binary.position(binary.position() + 4 * data.length);
            return new Tensor(name, shape, data, true);
        }
        if (numbers == null)
            throw bad(
                    "input "
                            + name
                            + ": expected \"data\" (an array) or parameters.binary_data_size");
        if (numbers.notANumber != null)
            throw bad(
                    "input "
                            + name
                            + ": data holds "
                            + numbers.notANumber.getNodeType().toString().toLowerCase()
                            + " "
                            + abbreviate(numbers.notANumber)
                            + ", expected numbers");
        if (numbers.count != count)
            throw bad(
                    "input "
                            + name
                            + ": shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + count
                            + " values, got "
                            + numbers.count);
        float[] data = numbers.exactly();
        return new Tensor(name, shape, data, false);
    }

    private static String abbreviate(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String text(JsonNode n, String what) {
        if (n == null || !n.isTextual()) throw bad(what + ": expected a string");
        return n.asText();
    }

    private static boolean flag(JsonNode params, String name) {
        JsonNode f = params.get(name);
        if (f == null) return false;
        if (!f.isBoolean()) throw bad("parameters." + name + " " + f + ": expected true or false");
        return f.asBoolean();
    }

    private static OipException bad(String message) {
        return new OipException(400, message);
    }

    /**
     * Whether output {@code name} goes as binary data.
     *
     * @param name an output's name
     * @return its {@code binary_data} flag when it was listed, else {@code binary_data_output}
     */
    public boolean binary(String name) {
        int i = outputs.indexOf(name);
        return i >= 0 ? binaryOutputs.get(i) : binaryByDefault;
    }
}
