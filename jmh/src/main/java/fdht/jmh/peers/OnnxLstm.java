package fdht.jmh.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A peer: ONNX Runtime (CPU execution provider) running a model from {@link OnnxModel} with fixed
 * input tensors over direct buffers, so a call hands ORT no copies. {@code threads} pins ORT's
 * intra-op pool (1 = the calling thread only) and the session runs sequentially, so it uses the
 * same number of cores as the fdht benchmark it is compared with. Not thread-safe.
 */
public final class OnnxLstm implements AutoCloseable {
    private final OrtSession session;
    private final OnnxTensor x, h0, c0;
    private final Map<String, OnnxTensor> inputs;
    private final FloatBuffer xData;
    private final int threads;

    private OnnxLstm(byte[] model, int inputSize, int hidden, int seq, int batch, int threads) {
        this.threads = threads;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, options);
            xData = direct((long) seq * batch * inputSize);
            x = OnnxTensor.createTensor(env, xData, new long[] {seq, batch, inputSize});
            h0 =
                    OnnxTensor.createTensor(
                            env, direct((long) batch * hidden), new long[] {1, batch, hidden});
            c0 =
                    OnnxTensor.createTensor(
                            env, direct((long) batch * hidden), new long[] {1, batch, hidden});
            inputs = Map.of("X", x, "initial_h", h0, "initial_c", c0);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused the model: " + e.getMessage(), e);
        }
    }

    /**
     * ORT's dense LSTM over fdht's {@code [W_ih W_hh]} ({@code 4H x (N_x + H)}, gates i, f, g, o)
     * and bias, for {@code seq} frames of {@code batch} rows.
     */
    public static OnnxLstm dense(
            MemorySegment w,
            float[] bias,
            int inputSize,
            int hidden,
            int seq,
            int batch,
            int threads) {
        return new OnnxLstm(
                OnnxModel.lstm(w, bias, inputSize, hidden, seq, batch),
                inputSize,
                hidden,
                seq,
                batch,
                threads);
    }

    /** The identity graph of the same signature: what one call costs ORT with no arithmetic. */
    public static OnnxLstm identity(int inputSize, int hidden, int seq, int batch, int threads) {
        return new OnnxLstm(
                OnnxModel.identity(inputSize, hidden, seq, batch),
                inputSize,
                hidden,
                seq,
                batch,
                threads);
    }

    private static FloatBuffer direct(long floats) {
        if (floats * Float.BYTES > Integer.MAX_VALUE)
            throw new IllegalArgumentException("ONNX input of " + floats + " floats is over 2 GB");
        return ByteBuffer.allocateDirect((int) (floats * Float.BYTES))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** Sets X ({@code [seq][batch][N_x]}) from native floats. */
    public void input(MemorySegment frames) {
        long n = xData.capacity();
        if (frames.byteSize() < n * Float.BYTES)
            throw new IllegalArgumentException(
                    "X needs " + n + " floats, got " + frames.byteSize() / Float.BYTES);
        MemorySegment.copy(frames, 0, MemorySegment.ofBuffer(xData), 0, n * Float.BYTES);
    }

    public int threads() {
        return threads;
    }

    /** One call; returns {@code Y_h} ({@code [batch][H]}) as floats. */
    public float[] run() {
        try (OrtSession.Result r = session.run(inputs)) {
            FloatBuffer yh = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[yh.remaining()];
            yh.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        }
    }

    /**
     * One call, for timing: the first value of {@code Y_h} (ORT copies the small output out, as any
     * user's call would).
     */
    public float runOnce() {
        try (OrtSession.Result r = session.run(inputs)) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        x.close();
        h0.close();
        c0.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
