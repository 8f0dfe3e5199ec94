package fdht.serve.oip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes an inference response: JSON outputs, or Triton's binary tensor data (the JSON header names
 * each binary output's {@code binary_data_size}; the raw little-endian FP32 values follow it in
 * output order, and {@code Inference-Header-Content-Length} says where the JSON ends).
 *
 * @param body the bytes to send
 * @param jsonLength the JSON header's length when binary data follows, else -1
 */
public record InferResponse(byte[] body, int jsonLength) {
    /**
     * Encodes outputs.
     *
     * @param json the mapper
     * @param model the model's name
     * @param id the request's id, or null
     * @param sequenceId the request's sequence id, 0 for none
     * @param outputs the output tensors (each says whether it is binary)
     * @return the response
     */
    public static InferResponse encode(
            ObjectMapper json, String model, String id, long sequenceId, List<Tensor> outputs) {
        ObjectNode root = json.createObjectNode();
        root.put("model_name", model);
        if (id != null) root.put("id", id);
        if (sequenceId != 0) root.putObject("parameters").put("sequence_id", sequenceId);
        ArrayNode out = root.putArray("outputs");
        int binaryBytes = 0;
        for (Tensor t : outputs) {
            ObjectNode o = out.addObject();
            o.put("name", t.name()).put("datatype", "FP32");
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            if (t.binary()) {
                o.putObject("parameters").put("binary_data_size", 4 * t.data().length);
                binaryBytes += 4 * t.data().length;
            } else {
                ArrayNode data = o.putArray("data");
                for (float v : t.data()) data.add(v);
            }
        }
        try {
            byte[] header = json.writeValueAsBytes(root);
            if (binaryBytes == 0) return new InferResponse(header, -1);
            ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + binaryBytes);
            body.write(header);
            for (Tensor t : outputs) {
                if (!t.binary()) continue;
                ByteBuffer b =
                        ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.data());
                body.write(b.array());
            }
            return new InferResponse(body.toByteArray(), header.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
