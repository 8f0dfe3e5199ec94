package fdht.kernels.lstm;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import fdht.layout.io.ModelFileException;
import fdht.layout.io.SafetensorsFile;
import fdht.layout.io.SafetensorsWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * fdht's LSTM model files (safetensors; the layout is specified in {@code docs/FORMAT.md}); a dense
 * PyTorch {@code nn.LSTM} state dict is read by {@link PytorchStateDict}. Every problem with a file
 * is a {@link ModelFileException} naming the file and the tensor or metadata key.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class LstmModelFile {
    public static final String FORMAT = "fdht-lstm";

    /** The version of a one-layer, one-direction file. */
    public static final String VERSION = "1";

    /** The version of a stack: several layers and/or both directions. */
    public static final String STACK_VERSION = "2";

    private LstmModelFile() {}

    /**
     * Writes an FDHT, HT-input or TT layer (with its head) as an fdht model file (version 1). Dense
     * layers have no fdht file: keep their PyTorch file.
     */
    public static void write(Lstm lstm, Path path) {
        write(LstmStack.single(lstm), path);
    }

    /**
     * Writes a stack as an fdht model file: version 1 when it is one layer of one direction (so
     * such files stay readable by older builds), else version 2 (layers and directions, each
     * layer's tensors and metadata under its own prefix).
     */
    public static void write(LstmStack stack, Path path) {
        boolean single = stack.isSingle();
        SafetensorsWriter w =
                new SafetensorsWriter()
                        .metadata("format", FORMAT)
                        .metadata("format_version", single ? VERSION : STACK_VERSION)
                        .metadata("input_size", Integer.toString(stack.inputSize()))
                        .metadata("hidden_size", Integer.toString(stack.hiddenSize()))
                        .metadata("gate_order", "ifgo");
        if (!single)
            w.metadata("num_layers", Integer.toString(stack.layerCount()))
                    .metadata("directions", Integer.toString(stack.directions()));
        for (int l = 0; l < stack.layerCount(); l++) {
            for (int d = 0; d < stack.directions(); d++)
                layer(w, single ? "" : prefix(l, d), stack.layer(l, d));
        }
        stack.head()
                .ifPresent(
                        h -> {
                            w.metadata("head_classes", Integer.toString(h.classes()));
                            w.add(
                                    "head.weight",
                                    new long[] {h.classes(), h.hidden()},
                                    h.weightsToArray());
                            w.add("head.bias", new long[] {h.classes()}, h.biasToArray());
                        });
        w.write(path);
    }

    /**
     * The prefix of layer {@code l}, direction {@code d}'s keys and tensors in a version-2 file:
     * {@code l0.}, {@code l0_reverse.}, {@code l1.}, ...
     */
    static String prefix(int l, int d) {
        return "l" + l + (d == 1 ? "_reverse" : "") + ".";
    }

    private static void layer(SafetensorsWriter w, String c, Lstm lstm) {
        int fourH = 4 * lstm.hiddenSize();
        switch (lstm.projection()) {
            case FdhtProjection p -> {
                w.metadata(c + "kind", "fdht");
                htTensors(w, c, p.weights());
            }
            case HtInputProjection p -> {
                w.metadata(c + "kind", "ht-input");
                htTensors(w, c, p.inputWeights());
                w.add(
                        c + "lstm.weight_hh",
                        new long[] {fourH, lstm.hiddenSize()},
                        p.hiddenWeights()
                                .asSlice(0, (long) fourH * lstm.hiddenSize() * Float.BYTES));
            }
            case TtProjection p -> {
                w.metadata(c + "kind", "tt");
                TtFormat f = p.weights().format();
                int d = f.order();
                w.metadata(c + "row_factors", join(f.rowFactors()))
                        .metadata(c + "col_factors", join(f.colFactors()));
                int[] r = new int[d + 1];
                for (int k = 0; k <= d; k++) r[k] = f.bondRank(k);
                w.metadata(c + "tt_ranks", join(r));
                for (int k = 0; k < d; k++) {
                    float[] core = new float[f.coreSize(k)];
                    int e = 0;
                    for (int a = 0; a < r[k]; a++)
                        for (int i = 0; i < f.rowFactor(k); i++)
                            for (int j = 0; j < f.colFactor(k); j++)
                                for (int b = 0; b < r[k + 1]; b++)
                                    core[e++] = p.weights().core(k, a, i, j, b);
                    w.add(
                            c + "tt.core." + (k + 1),
                            new long[] {r[k], f.rowFactor(k), f.colFactor(k), r[k + 1]},
                            core);
                }
            }
            case DenseProjection p ->
                    throw new IllegalArgumentException(
                            "a dense LSTM has no fdht model file; convert it first");
        }
        w.add(c + "lstm.bias", new long[] {fourH}, lstm.biasToArray());
    }

    private static void htTensors(SafetensorsWriter w, String c, HtMatrix ht) {
        HtFormat f = ht.format();
        w.metadata(c + "row_factors", join(f.rowFactors()))
                .metadata(c + "col_factors", join(f.colFactors()))
                .metadata(c + "tree", f.tree().toString())
                .metadata(c + "ranks", join(f.ranks()));
        float[][] nodes = ht.toArrays();
        DimensionTree tree = f.tree();
        for (int t = 0; t < tree.nodeCount(); t++)
            w.add(c + "ht.node." + (t + 1), htShape(f, t), nodes[t]);
    }

    private static long[] htShape(HtFormat f, int t) {
        DimensionTree tree = f.tree();
        if (tree.isLeaf(t)) return new long[] {f.rowFactor(t), f.colFactor(t), f.rank(t)};
        return new long[] {f.rank(t), f.rank(tree.left(t)), f.rank(tree.right(t))};
    }

    /**
     * Reads a one-layer, one-direction fdht model file; the layer's weights are copied into {@code
     * arena}. A stack is refused: read it with {@link #readStack}.
     */
    public static Lstm read(Path path, Arena arena) {
        LstmStack stack = readStack(path, arena);
        if (!stack.isSingle()) {
            throw new ModelFileException(
                    path,
                    null,
                    "holds "
                            + stack.layerCount()
                            + " layers"
                            + (stack.directions() == 2 ? " in both directions" : "")
                            + ", not one: read it as a stack");
        }
        return stack.asSingle();
    }

    /**
     * Reads an fdht model file of either version as a stack, or a dense PyTorch {@code nn.LSTM}
     * state dict whose every tensor belongs to the LSTM or its head; the weights are copied into
     * {@code arena}.
     */
    public static LstmStack readStack(Path path, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(path, scratch);
            if (!st.metadata().containsKey("format")
                    && st.tensors().keySet().stream().anyMatch(n -> n.endsWith("weight_ih_l0"))) {
                return readDense(path, arena);
            }
            if (!FORMAT.equals(st.meta("format")))
                throw new ModelFileException(
                        path,
                        null,
                        "__metadata__ format is '" + st.meta("format") + "', not '" + FORMAT + "'");
            String version = st.meta("format_version");
            if (!VERSION.equals(version) && !STACK_VERSION.equals(version)) {
                throw new ModelFileException(
                        path,
                        null,
                        "format_version '"
                                + version
                                + "' is not supported (this build reads "
                                + VERSION
                                + " and "
                                + STACK_VERSION
                                + ")");
            }
            if (!"ifgo".equals(st.meta("gate_order")))
                throw new ModelFileException(
                        path, null, "gate_order '" + st.meta("gate_order") + "' is not 'ifgo'");
            int input = positiveInt(st, "input_size"), hidden = positiveInt(st, "hidden_size");
            boolean single = VERSION.equals(version);
            int layers = single ? 1 : positiveInt(st, "num_layers"),
                    directions = single ? 1 : positiveInt(st, "directions");
            if (layers > PytorchStateDict.MAX_LAYERS)
                throw new ModelFileException(
                        path,
                        null,
                        "__metadata__ 'num_layers' = "
                                + layers
                                + " is more than "
                                + PytorchStateDict.MAX_LAYERS);
            if (directions > 2)
                throw new ModelFileException(
                        path, null, "__metadata__ 'directions' = " + directions + " is not 1 or 2");
            if ((long) directions * hidden > Integer.MAX_VALUE / 8)
                throw new ModelFileException(
                        path, null, "__metadata__ 'hidden_size' = " + hidden + " is too large");
            Lstm[][] cells = new Lstm[layers][directions];
            for (int l = 0; l < layers; l++) {
                for (int d = 0; d < directions; d++)
                    cells[l][d] =
                            readLayer(
                                    st,
                                    single ? "" : prefix(l, d),
                                    l == 0 ? input : directions * hidden,
                                    hidden,
                                    arena,
                                    scratch);
            }
            DenseHead head = null;
            if (st.metadata().containsKey("head_classes")) {
                int classes = positiveInt(st, "head_classes");
                st.requireShape("head.weight", classes, (long) directions * hidden);
                st.requireShape("head.bias", classes);
                head =
                        new DenseHead(
                                st.toArray("head.weight"),
                                st.toArray("head.bias"),
                                classes,
                                directions * hidden,
                                arena);
            }
            try {
                return LstmStack.of(cells, head);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(
                        path, null, "inconsistent model: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A PyTorch {@code nn.LSTM} state dict (with its head, when one is found) read as it is, as
     * dense layers: what {@code fdht train --format dense} writes. Only when every tensor is used:
     * a file with others goes through {@code fdht convert --from-pytorch}, which names what it
     * leaves out.
     */
    private static LstmStack readDense(Path path, Arena arena) {
        PytorchStateDict.Import dense = PytorchStateDict.read(path, null, null, arena);
        if (!dense.ignored().isEmpty()) {
            throw new ModelFileException(
                    path,
                    null,
                    "a PyTorch nn.LSTM state dict with tensors that are not the LSTM's or its head's ("
                            + String.join(", ", dense.ignored())
                            + "): run 'fdht convert --from-pytorch' (it names what it ignores; --ranks full keeps it exact)");
        }
        return dense.toStack(arena);
    }

    private static Lstm readLayer(
            SafetensorsFile st, String c, int input, int hidden, Arena arena, Arena scratch) {
        Path path = st.path();
        int fourH = 4 * hidden;
        st.requireShape(c + "lstm.bias", fourH);
        float[] bias = st.toArray(c + "lstm.bias");
        String kind = st.meta(c + "kind");
        try {
            return switch (kind) {
                case "fdht" -> Lstm.fdht(readHt(st, c, arena), input, bias, arena);
                case "ht-input" -> {
                    HtMatrix wx = readHt(st, c, arena);
                    st.requireShape(c + "lstm.weight_hh", fourH, hidden);
                    MemorySegment wh = Weights.floats(arena, (long) fourH * hidden);
                    MemorySegment.copy(
                            st.floats(c + "lstm.weight_hh", scratch),
                            0,
                            wh,
                            0,
                            (long) fourH * hidden * Float.BYTES);
                    yield Lstm.htInput(wx, wh, input, bias, arena);
                }
                case "tt" -> Lstm.tt(readTt(st, c, arena), input, bias, arena);
                default ->
                        throw new ModelFileException(
                                path,
                                null,
                                "__metadata__ '"
                                        + c
                                        + "kind' = '"
                                        + kind
                                        + "' is not fdht, ht-input or tt");
            };
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(
                    path,
                    null,
                    "inconsistent model"
                            + (c.isEmpty() ? "" : " (" + c.substring(0, c.length() - 1) + ")")
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static HtMatrix readHt(SafetensorsFile st, String c, Arena arena) {
        Path path = st.path();
        int[] m = ints(st, c + "row_factors"),
                n = ints(st, c + "col_factors"),
                ranks = ints(st, c + "ranks");
        HtFormat f;
        try {
            f = new HtFormat(m, n, DimensionTree.parse(st.meta(c + "tree")), ranks);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(
                    path, null, "__metadata__ describes no valid HT format: " + e.getMessage(), e);
        }
        float[][] nodes = new float[f.tree().nodeCount()][];
        for (int t = 0; t < nodes.length; t++) {
            String name = c + "ht.node." + (t + 1);
            st.requireShape(name, htShape(f, t));
            nodes[t] = st.toArray(name);
        }
        return HtMatrix.of(f, nodes, arena);
    }

    private static TtMatrix readTt(SafetensorsFile st, String c, Arena arena) {
        int[] m = ints(st, c + "row_factors"),
                n = ints(st, c + "col_factors"),
                r = ints(st, c + "tt_ranks");
        TtFormat f;
        try {
            f = new TtFormat(m, n, r);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(
                    st.path(),
                    null,
                    "__metadata__ describes no valid TT format: " + e.getMessage(),
                    e);
        }
        float[][] cores = new float[f.order()][];
        for (int k = 0; k < cores.length; k++) {
            String name = c + "tt.core." + (k + 1);
            st.requireShape(name, r[k], m[k], n[k], r[k + 1]);
            cores[k] = st.toArray(name);
        }
        return TtMatrix.of(f, cores, arena);
    }

    private static int positiveInt(SafetensorsFile st, String key) {
        try {
            int v = Integer.parseInt(st.meta(key).strip());
            if (v < 1) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new ModelFileException(
                    st.path(),
                    null,
                    "__metadata__ '"
                            + key
                            + "' = '"
                            + st.meta(key)
                            + "' is not a positive integer");
        }
    }

    private static int[] ints(SafetensorsFile st, String key) {
        String v = st.meta(key);
        String[] parts = v.split(",");
        if (parts.length > 16)
            throw new ModelFileException(
                    st.path(), null, "__metadata__ '" + key + "' has more than 16 entries");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new ModelFileException(
                        st.path(),
                        null,
                        "__metadata__ '"
                                + key
                                + "' = '"
                                + v
                                + "' is not a comma-separated list of integers");
            }
        }
        return out;
    }

    static String join(int[] v) {
        return String.join(
                ",", Arrays.stream(v).mapToObj(Integer::toString).toArray(String[]::new));
    }
}
