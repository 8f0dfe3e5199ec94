package fdht.jmh.peers;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Builds ONNX model bytes in-process, without protobuf or ONNX libraries: just the few messages of
 * onnx.proto a one-node graph needs (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto
 * with raw_data, ValueInfoProto), written with the protobuf wire format by hand. Field numbers are
 * onnx.proto's. Used to hand ONNX Runtime a dense {@code LSTM} node over exactly the weights fdht
 * runs, and an identity graph of the same signature to measure its per-call cost.
 */
public final class OnnxModel {
    private static final int OPSET = 17;
    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTR_INT = 2; // AttributeProto.AttributeType.INT

    private OnnxModel() {}

    /**
     * A one-layer ONNX LSTM, one step or a clip: inputs {@code X [seq][batch][N_x]}, {@code
     * initial_h}, {@code initial_c} ({@code [1][batch][H]}); outputs {@code Y_h}, {@code Y_c}.
     *
     * @param w fdht's gate matrix {@code [W_ih W_hh]}, {@code 4H x (N_x + H)} row-major, gate order
     *     i, f, g, o (PyTorch)
     * @param bias {@code b_ih + b_hh}, {@code 4H}, same gate order
     */
    public static byte[] lstm(
            MemorySegment w, float[] bias, int inputSize, int hidden, int seq, int batch) {
        if (bias.length != 4 * hidden)
            throw new IllegalArgumentException(
                    "bias needs 4H = " + 4 * hidden + " values, got " + bias.length);
        long cols = (long) inputSize + hidden;
        if (w.byteSize() < 4L * hidden * cols * Float.BYTES)
            throw new IllegalArgumentException("W holds fewer than 4H x (N_x + H) floats");
        // ONNX orders the gates i, o, f, c; PyTorch (and fdht) i, f, g, o. onnxGate[k] = our block.
        int[] ours = {0, 3, 1, 2};
        float[] wx = new float[4 * hidden * inputSize];
        float[] wh = new float[4 * hidden * hidden];
        float[] b = new float[8 * hidden]; // [Wb ; Rb]; the summed bias goes in Wb, Rb stays 0
        for (int g = 0; g < 4; g++) {
            for (int u = 0; u < hidden; u++) {
                long src = ((long) ours[g] * hidden + u) * cols;
                int dst = g * hidden + u;
                MemorySegment.copy(
                        w,
                        ValueLayout.JAVA_FLOAT,
                        src * Float.BYTES,
                        wx,
                        dst * inputSize,
                        inputSize);
                MemorySegment.copy(
                        w,
                        ValueLayout.JAVA_FLOAT,
                        (src + inputSize) * Float.BYTES,
                        wh,
                        dst * hidden,
                        hidden);
                b[dst] = bias[ours[g] * hidden + u];
            }
        }
        Message node =
                new Message()
                        .strings(1, "X", "W", "R", "B", "", "initial_h", "initial_c")
                        .strings(2, "", "Y_h", "Y_c")
                        .string(3, "lstm")
                        .string(4, "LSTM")
                        .message(
                                5,
                                new Message()
                                        .string(1, "hidden_size")
                                        .varint(3, hidden)
                                        .varint(20, ATTR_INT));
        Message graph =
                new Message()
                        .message(1, node)
                        .string(2, "fdht-dense-lstm")
                        .message(5, tensor("W", new long[] {1, 4L * hidden, inputSize}, wx))
                        .message(5, tensor("R", new long[] {1, 4L * hidden, hidden}, wh))
                        .message(5, tensor("B", new long[] {1, 8L * hidden}, b));
        signature(graph, inputSize, hidden, seq, batch);
        return model(graph);
    }

    /**
     * The same inputs and outputs as {@link #lstm} with no arithmetic: {@code Y_h = initial_h},
     * {@code Y_c = initial_c}; X is fed and ignored.
     */
    public static byte[] identity(int inputSize, int hidden, int seq, int batch) {
        Message graph =
                new Message()
                        .message(
                                1,
                                new Message()
                                        .strings(1, "initial_h")
                                        .strings(2, "Y_h")
                                        .string(3, "copy_h")
                                        .string(4, "Identity"))
                        .message(
                                1,
                                new Message()
                                        .strings(1, "initial_c")
                                        .strings(2, "Y_c")
                                        .string(3, "copy_c")
                                        .string(4, "Identity"))
                        .string(2, "fdht-identity");
        signature(graph, inputSize, hidden, seq, batch);
        return model(graph);
    }

    private static void signature(Message graph, int inputSize, int hidden, int seq, int batch) {
        graph.message(11, valueInfo("X", seq, batch, inputSize))
                .message(11, valueInfo("initial_h", 1, batch, hidden))
                .message(11, valueInfo("initial_c", 1, batch, hidden))
                .message(12, valueInfo("Y_h", 1, batch, hidden))
                .message(12, valueInfo("Y_c", 1, batch, hidden));
    }

    private static byte[] model(Message graph) {
        return new Message()
                .varint(1, IR_VERSION)
                .string(2, "fdht")
                .message(7, graph)
                .message(8, new Message().string(1, "").varint(2, OPSET))
                .bytes();
    }

    private static Message tensor(String name, long[] dims, float[] data) {
        Message t = new Message();
        for (long d : dims) t.varint(1, d);
        t.varint(2, FLOAT).string(8, name);
        byte[] raw = new byte[data.length * Float.BYTES];
        MemorySegment.copy(
                data,
                0,
                MemorySegment.ofArray(raw),
                ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                0,
                data.length);
        return t.lengthDelimited(9, raw);
    }

    private static Message valueInfo(String name, long... dims) {
        Message shape = new Message();
        for (long d : dims) shape.message(1, new Message().varint(1, d));
        Message tensorType = new Message().varint(1, FLOAT).message(2, shape);
        return new Message().string(1, name).message(2, new Message().message(1, tensorType));
    }

    /** One protobuf message being written: fields appended in call order. */
    static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Message varint(int field, long value) {
            tag(field, 0);
            raw(value);
            return this;
        }

        Message string(int field, String value) {
            return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Message strings(int field, String... values) {
            for (String v : values) string(field, v);
            return this;
        }

        Message message(int field, Message m) {
            return lengthDelimited(field, m.bytes());
        }

        Message lengthDelimited(int field, byte[] b) {
            tag(field, 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            raw(((long) field << 3) | wireType);
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
