package fdht.kernels.lstm;

import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsFile;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a dense PyTorch {@code nn.LSTM} (any number of layers, one or both directions) and an
 * optional linear head from a state dict saved as safetensors, the way PyTorch code saves one:
 * {@code save_file(model.state_dict(), path)} of a module that holds the LSTM as a field (its
 * tensors then start with a prefix such as {@code lstm.}) and a head ({@code fc.}, {@code
 * classifier.}, ...).
 *
 * <p>The LSTM's prefix is the part before {@code weight_ih_l0} (given, or detected when exactly one
 * tensor ends so); the head's prefix is given, or detected when exactly one {@code <p>.weight [C,
 * D*H]} with a {@code <p>.bias [C]} exists. Nothing is dropped silently: every tensor is used,
 * listed in {@link Import#ignored()}, or the import fails naming it (a projection, {@code proj_size
 * > 0}, a layer or direction that does not fit). Costs one copy of the weights; holds nothing open
 * afterwards.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class PytorchStateDict {
    // layer numbers as PyTorch writes them (no leading zero): "weight_ih_l01" is not layer 1's, so
    // it is listed as ignored, not taken as used
    private static final Pattern LSTM_TENSOR =
            Pattern.compile(
                    "(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(0|[1-9]\\d*)(_reverse)?");

    /**
     * Layers accepted: far more than any LSTM in use, few enough to bound the work a hostile file
     * can ask for.
     */
    static final int MAX_LAYERS = 64;

    private PytorchStateDict() {}

    /**
     * What was imported: the dense original as a stack of dense {@link Lstm} layers (with its head,
     * the reference a compressed model is compared with), the prefixes found, and the names of the
     * tensors not used, sorted.
     */
    public record Import(
            String lstmPrefix, LstmStack stack, String headPrefix, List<String> ignored) {
        /**
         * Weights of the dense original (head excluded): what a compressed model is measured
         * against.
         */
        public long parameterCount() {
            return stack.parameterCount();
        }

        /** One line for reports: prefix, layers, directions, sizes, head. */
        public String describe() {
            int layers = stack.layerCount();
            return "nn.LSTM '"
                    + display(lstmPrefix)
                    + "': "
                    + layers
                    + " layer"
                    + (layers == 1 ? "" : "s")
                    + ", "
                    + (stack.directions() == 2 ? "bidirectional" : "one direction")
                    + ", N_x "
                    + stack.inputSize()
                    + ", H "
                    + stack.hiddenSize()
                    + stack.head()
                            .map(
                                    h ->
                                            ", head '"
                                                    + display(headPrefix)
                                                    + "' of "
                                                    + h.classes()
                                                    + " classes")
                            .orElse(", no head");
        }
    }

    /**
     * Imports {@code path}. {@code lstmPrefix}: null to detect, else the prefix (with or without
     * its trailing dot; "" for a bare {@code nn.LSTM}). {@code headPrefix}: null to detect, {@code
     * "none"} for no head, else the head's prefix.
     */
    public static Import read(Path path, String lstmPrefix, String headPrefix, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(path, scratch);
            Map<String, SafetensorsFile.TensorInfo> all = st.tensors();
            String p = lstmPrefix(st, lstmPrefix);
            // the LSTM's own tensors by layer, then by direction
            TreeMap<Integer, TreeSet<String>> byLayer = new TreeMap<>();
            TreeSet<String> used = new TreeSet<>();
            boolean anyReverse = false;
            for (String name : all.keySet()) {
                if (!name.startsWith(p)) continue;
                Matcher m = LSTM_TENSOR.matcher(name.substring(p.length()));
                if (!m.matches()) continue;
                if (m.group(1).equals("weight_hr"))
                    throw new ModelFileException(
                            path,
                            name,
                            "an LSTM with projections (proj_size > 0) is not supported");
                int layer;
                try {
                    layer = Integer.parseInt(m.group(2));
                } catch (NumberFormatException e) {
                    layer = Integer.MAX_VALUE;
                }
                if (layer >= MAX_LAYERS)
                    throw new ModelFileException(
                            path,
                            name,
                            "layer "
                                    + m.group(2)
                                    + " is beyond the "
                                    + MAX_LAYERS
                                    + " layers supported");
                byLayer.computeIfAbsent(layer, k -> new TreeSet<>()).add(name);
                anyReverse |= m.group(3) != null;
                used.add(name);
            }
            int layers = byLayer.lastKey() + 1, directions = anyReverse ? 2 : 1;
            for (int l = 0; l < layers; l++) {
                if (!byLayer.containsKey(l))
                    throw new ModelFileException(
                            path,
                            p + "weight_ih_l" + l,
                            "missing, but layer " + (layers - 1) + " exists");
            }
            int fourH = hiddenTimesFour(st, p + "weight_ih_l0", p + "weight_hh_l0"),
                    hidden = fourH / 4;
            Lstm[][] cells = new Lstm[layers][directions];
            int input = (int) st.info(p + "weight_ih_l0").shape()[1];
            for (int l = 0; l < layers; l++) {
                int in = l == 0 ? input : directions * hidden;
                for (int d = 0; d < directions; d++)
                    cells[l][d] = layer(st, p, l + (d == 1 ? "_reverse" : ""), in, hidden, arena);
            }
            DenseHead head = null;
            String hp = headPrefix(st, headPrefix, used, directions * hidden);
            if (hp != null) {
                String wName = hp + "weight", bName = hp + "bias";
                SafetensorsFile.TensorInfo w = st.info(wName);
                if (w.shape().length != 2
                        || w.shape()[1] != (long) directions * hidden
                        || w.shape()[0] < 1
                        || w.shape()[0] > Integer.MAX_VALUE / (directions * hidden)) {
                    throw new ModelFileException(
                            path,
                            wName,
                            "shape "
                                    + Arrays.toString(w.shape())
                                    + " is not [C, "
                                    + directions * hidden
                                    + "] (the head reads the LSTM's last output"
                                    + (directions == 2 ? ", both directions" : "")
                                    + ")");
                }
                int classes = (int) w.shape()[0];
                float[] bias = new float[classes];
                if (all.containsKey(bName)) {
                    st.requireShape(bName, classes);
                    bias = st.toArray(bName);
                    used.add(bName);
                }
                head = new DenseHead(st.toArray(wName), bias, classes, directions * hidden, arena);
                used.add(wName);
            }
            List<String> ignored = new ArrayList<>();
            for (String name : all.keySet()) if (!used.contains(name)) ignored.add(name);
            ignored.sort(null);
            return new Import(p, LstmStack.of(cells, head), hp, List.copyOf(ignored));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, null, e.getMessage(), e);
        }
    }

    private static String lstmPrefix(SafetensorsFile st, String given) {
        Path path = st.path();
        if (given != null) {
            for (String p :
                    given.isEmpty() || given.endsWith(".")
                            ? List.of(given)
                            : List.of(given + ".", given)) {
                if (st.tensors().containsKey(p + "weight_ih_l0")) return p;
            }
            throw new ModelFileException(
                    path,
                    display(given) + ".weight_ih_l0",
                    "missing (--lstm-prefix " + given + "); candidates: " + lstmCandidates(st));
        }
        List<String> found = lstmCandidatesList(st);
        if (found.isEmpty())
            throw new ModelFileException(
                    path,
                    null,
                    "no tensor ends in 'weight_ih_l0': this is not a PyTorch nn.LSTM state dict");
        if (found.size() > 1)
            throw new ModelFileException(
                    path,
                    null,
                    "several LSTMs (prefixes "
                            + lstmCandidates(st)
                            + "): choose one with --lstm-prefix");
        return found.getFirst();
    }

    private static List<String> lstmCandidatesList(SafetensorsFile st) {
        List<String> out = new ArrayList<>();
        for (String name : st.tensors().keySet())
            if (name.endsWith("weight_ih_l0") && !name.endsWith("weight_ih_l0_reverse"))
                out.add(name.substring(0, name.length() - "weight_ih_l0".length()));
        out.sort(null);
        return out;
    }

    private static String lstmCandidates(SafetensorsFile st) {
        List<String> c = lstmCandidatesList(st);
        return c.isEmpty()
                ? "none"
                : String.join(", ", c.stream().map(PytorchStateDict::display).toList());
    }

    /** The head's prefix with its dot, or null for none. */
    private static String headPrefix(
            SafetensorsFile st, String given, TreeSet<String> lstmTensors, int width) {
        if ("none".equals(given)) return null;
        if (given != null) {
            for (String p :
                    given.isEmpty() || given.endsWith(".")
                            ? List.of(given)
                            : List.of(given + ".", given)) {
                if (st.tensors().containsKey(p + "weight")) return p;
            }
            throw new ModelFileException(
                    st.path(), display(given) + ".weight", "missing (--head-prefix " + given + ")");
        }
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, SafetensorsFile.TensorInfo> e : st.tensors().entrySet()) {
            String name = e.getKey();
            long[] s = e.getValue().shape();
            if (lstmTensors.contains(name)
                    || !name.endsWith("weight")
                    || s.length != 2
                    || s[1] != width) continue;
            String p = name.substring(0, name.length() - "weight".length());
            if (!p.isEmpty() && !p.endsWith(".")) continue;
            SafetensorsFile.TensorInfo b = st.tensors().get(p + "bias");
            if (b != null && b.shape().length == 1 && b.shape()[0] == s[0]) candidates.add(p);
        }
        candidates.sort(null);
        if (candidates.size() > 1) {
            throw new ModelFileException(
                    st.path(),
                    null,
                    "several possible heads ("
                            + String.join(
                                    ", ",
                                    candidates.stream().map(PytorchStateDict::display).toList())
                            + "): choose one with --head-prefix, or --head-prefix none");
        }
        return candidates.isEmpty() ? null : candidates.getFirst();
    }

    /**
     * {@code 4H}, the rows of layer 0's input weights {@code ih}; a GRU's {@code 3H} or a plain
     * RNN's {@code H} rows (against {@code hh}'s {@code H} columns) are named as what they are.
     */
    private static int hiddenTimesFour(SafetensorsFile st, String ih, String hh) {
        long[] s = st.info(ih).shape();
        SafetensorsFile.TensorInfo recurrent = st.tensors().get(hh);
        if (recurrent != null && recurrent.shape().length == 2 && s.length == 2) {
            long h = recurrent.shape()[1], rows = s[0];
            String other =
                    rows == 3 * h ? "3H rows: a GRU?" : rows == h ? "H rows: an nn.RNN?" : null;
            if (h > 0 && other != null && recurrent.shape()[0] == rows)
                throw new ModelFileException(
                        st.path(),
                        ih,
                        "shape "
                                + Arrays.toString(s)
                                + " has "
                                + rows
                                + " rows for H = "
                                + h
                                + " ("
                                + hh
                                + " is "
                                + Arrays.toString(recurrent.shape())
                                + "): not an LSTM ("
                                + other
                                + ")");
        }
        if (s.length != 2
                || s[0] % 4 != 0
                || s[0] == 0
                || s[1] < 1
                || s[0] / 4 * (s[0] / 4 + s[1]) > Integer.MAX_VALUE / 4) {
            throw new ModelFileException(
                    st.path(), ih, "shape " + Arrays.toString(s) + " is not [4H, N]");
        }
        return (int) s[0];
    }

    private static Lstm layer(
            SafetensorsFile st, String p, String suffix, int input, int hidden, Arena arena) {
        long fourH = 4L * hidden;
        String ih = p + "weight_ih_l" + suffix,
                hh = p + "weight_hh_l" + suffix,
                bih = p + "bias_ih_l" + suffix,
                bhh = p + "bias_hh_l" + suffix;
        st.requireShape(ih, fourH, input);
        st.requireShape(hh, fourH, hidden);
        boolean hasBih = st.tensors().containsKey(bih), hasBhh = st.tensors().containsKey(bhh);
        float[] bias = new float[(int) fourH];
        if (hasBih || hasBhh) { // nn.LSTM(bias=False) has neither
            st.requireShape(bih, fourH);
            st.requireShape(bhh, fourH);
            float[] a = st.toArray(bih), b = st.toArray(bhh);
            for (int i = 0; i < bias.length; i++) bias[i] = a[i] + b[i];
        }
        try (Arena scratch = Arena.ofConfined()) {
            GateMatrix w =
                    GateMatrix.join(
                            st.floats(ih, scratch), st.floats(hh, scratch), input, hidden, arena);
            return Lstm.of(new DenseProjection(w), bias, arena);
        }
    }

    /** A prefix as people write it: without its trailing dot, {@code (no prefix)} for none. */
    static String display(String prefix) {
        if (prefix.isEmpty()) return "(no prefix)";
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
