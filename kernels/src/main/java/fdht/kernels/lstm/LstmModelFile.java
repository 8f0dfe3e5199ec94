package fdht.kernels.lstm;

import fdht.kernels.format.LayerFormat;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
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
     * Writes a layer (with its head) as {@link #write(LstmStack, Path)} writes a one-layer stack.
     */
    public static void write(Lstm lstm, Path path) {
        write(LstmStack.single(lstm), path);
    }

    /**
     * Writes a stack, atomically. Planned layers make an fdht model file: version 1 when it is one
     * layer of one direction (so such files stay readable by older builds), else version 2 (layers
     * and directions, each layer's tensors and metadata under its own prefix). Dense layers make a
     * PyTorch {@code nn.LSTM} state dict with head {@code fc} (what {@link #readStack} and {@code
     * fdht convert --from-pytorch} read); a stack mixing the two has no file.
     */
    public static void write(LstmStack stack, Path path) {
        boolean dense = stack.layer(0, 0).projection() instanceof DenseProjection;
        for (int l = 0; l < stack.layerCount(); l++)
            for (int d = 0; d < stack.directions(); d++)
                if (stack.layer(l, d).projection() instanceof DenseProjection != dense)
                    throw new IllegalArgumentException(
                            "a stack of dense and compressed layers has no model file ("
                                    + LstmStack.name(l, d)
                                    + " is "
                                    + stack.layer(l, d).format().name()
                                    + ", layer 0 "
                                    + stack.layer(0, 0).format().name()
                                    + ")");
        SafetensorsWriter w = dense ? new SafetensorsWriter() : fdhtMetadata(stack);
        for (int l = 0; l < stack.layerCount(); l++) {
            for (int d = 0; d < stack.directions(); d++) {
                Lstm layer = stack.layer(l, d);
                switch (layer.projection()) {
                    case PlannedProjection p ->
                            planned(w, stack.isSingle() ? "" : prefix(l, d), p, layer);
                    case DenseProjection p -> pytorch(w, l + (d == 1 ? "_reverse" : ""), p, layer);
                }
            }
        }
        stack.head()
                .ifPresent(
                        h -> {
                            String c = dense ? "fc." : "head.";
                            if (!dense) w.metadata("head_classes", Integer.toString(h.classes()));
                            w.add(
                                    c + "weight",
                                    new long[] {h.classes(), h.hidden()},
                                    h.weightsToArray());
                            w.add(c + "bias", new long[] {h.classes()}, h.biasToArray());
                        });
        w.write(path);
    }

    private static SafetensorsWriter fdhtMetadata(LstmStack stack) {
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
        return w;
    }

    /**
     * The prefix of layer {@code l}, direction {@code d}'s keys and tensors in a version-2 file:
     * {@code l0.}, {@code l0_reverse.}, {@code l1.}, ...
     */
    static String prefix(int l, int d) {
        return "l" + l + (d == 1 ? "_reverse" : "") + ".";
    }

    /**
     * A planned layer's keys and tensors under prefix {@code c}: its kind, its matrix's factors and
     * ranks, node tensors, a dense {@code W_h} when it has one, and the bias.
     */
    private static void planned(SafetensorsWriter w, String c, PlannedProjection p, Lstm lstm) {
        int fourH = 4 * lstm.hiddenSize();
        MatrixFormat f = p.format().matrix();
        w.metadata(c + "kind", p.format().key())
                .metadata(c + "row_factors", join(f.rowFactors()))
                .metadata(c + "col_factors", join(f.colFactors()));
        switch (f) {
            case HtFormat ht ->
                    w.metadata(c + "tree", ht.tree().toString())
                            .metadata(c + "ranks", join(ht.ranks()));
            case TtFormat tt -> w.metadata(c + "tt_ranks", join(tt.bondRanks()));
        }
        float[][] nodes = p.weights().toArrays();
        for (int t = 0; t < f.nodeCount(); t++)
            w.add(c + nodeTensor(f, t), f.nodeShape(t), nodes[t]);
        p.hiddenWeights()
                .ifPresent(
                        wh ->
                                w.add(
                                        c + HIDDEN_WEIGHTS,
                                        new long[] {fourH, lstm.hiddenSize()},
                                        wh.asSlice(
                                                0,
                                                (long) fourH * lstm.hiddenSize() * Float.BYTES)));
        w.add(c + "lstm.bias", new long[] {fourH}, lstm.biasToArray());
    }

    /**
     * A dense layer as PyTorch names it ({@code suffix}: {@code <l>} or {@code <l>_reverse}):
     * {@code weight_ih_l}, {@code weight_hh_l}, {@code bias_ih_l} (the summed bias) and {@code
     * bias_hh_l} (zeros).
     */
    private static void pytorch(SafetensorsWriter w, String suffix, DenseProjection p, Lstm lstm) {
        GateMatrix g = p.weights();
        int fourH = 4 * g.hidden();
        try (Arena scratch = Arena.ofConfined()) {
            w.add(
                            "weight_ih_l" + suffix,
                            new long[] {fourH, g.inputSize()},
                            floats(g.inputWeights(scratch), (long) fourH * g.inputSize()))
                    .add(
                            "weight_hh_l" + suffix,
                            new long[] {fourH, g.hidden()},
                            floats(g.hiddenWeights(scratch), (long) fourH * g.hidden()));
        }
        w.add("bias_ih_l" + suffix, new long[] {fourH}, lstm.biasToArray())
                .add("bias_hh_l" + suffix, new long[] {fourH}, new float[fourH]);
    }

    private static float[] floats(MemorySegment s, long n) {
        return Weights.toArray(s, 0, Math.toIntExact(n));
    }

    /**
     * The model file's (and the trainer's) name of node {@code t} of a structured matrix: {@code
     * ht.node.<t+1>} or {@code tt.core.<t+1>}.
     */
    public static String nodeTensor(MatrixFormat f, int t) {
        return nodePrefix(f) + (t + 1);
    }

    /** What {@link #nodeTensor} puts before the node's number. */
    public static String nodePrefix(MatrixFormat f) {
        return switch (f) {
            case HtFormat ht -> "ht.node.";
            case TtFormat tt -> "tt.core.";
        };
    }

    /** The dense {@code W_h} of a layer whose matrix covers {@code x} alone. */
    public static final String HIDDEN_WEIGHTS = "lstm.weight_hh";

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
        return dense.stack();
    }

    private static Lstm readLayer(
            SafetensorsFile st, String c, int input, int hidden, Arena arena, Arena scratch) {
        Path path = st.path();
        int fourH = 4 * hidden;
        st.requireShape(c + "lstm.bias", fourH);
        float[] bias = st.toArray(c + "lstm.bias");
        String kind = st.meta(c + "kind");
        if (!LayerFormat.PLANNED_KEYS.contains(kind))
            throw new ModelFileException(
                    path,
                    null,
                    "__metadata__ '"
                            + c
                            + "kind' = '"
                            + kind
                            + "' is not one of "
                            + String.join(", ", LayerFormat.PLANNED_KEYS)
                            + " (a dense LSTM is a PyTorch state dict)");
        try {
            LayerFormat.Planned planned =
                    (LayerFormat.Planned)
                            LayerFormat.of(
                                    kind,
                                    input,
                                    hidden,
                                    new LayerFormat.Shapes() {
                                        @Override
                                        public HtFormat ht(int columns) {
                                            return readHt(st, c);
                                        }

                                        @Override
                                        public TtFormat tt(int columns) {
                                            return readTt(st, c);
                                        }
                                    });
            MatrixFormat f = planned.matrix();
            float[][] nodes = new float[f.nodeCount()][];
            for (int t = 0; t < nodes.length; t++) {
                String name = c + nodeTensor(f, t);
                st.requireShape(name, f.nodeShape(t));
                nodes[t] = st.toArray(name);
            }
            MemorySegment wh = null;
            if (!planned.coversHidden()) {
                st.requireShape(c + HIDDEN_WEIGHTS, fourH, hidden);
                wh = Weights.floats(arena, (long) fourH * hidden);
                MemorySegment.copy(
                        st.floats(c + HIDDEN_WEIGHTS, scratch),
                        0,
                        wh,
                        0,
                        (long) fourH * hidden * Float.BYTES);
            }
            return Lstm.planned(planned, PlanFactors.of(f, nodes, arena), wh, bias, arena);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, null, inconsistent(c) + ": " + e.getMessage(), e);
        }
    }

    private static String inconsistent(String c) {
        return "inconsistent model"
                + (c.isEmpty() ? "" : " (" + c.substring(0, c.length() - 1) + ")");
    }

    private static HtFormat readHt(SafetensorsFile st, String c) {
        int[] m = ints(st, c + "row_factors"), n = ints(st, c + "col_factors");
        int[] ranks = ints(st, c + "ranks");
        String tree = st.meta(c + "tree");
        return valid(st, "HT", () -> new HtFormat(m, n, DimensionTree.parse(tree), ranks));
    }

    private static TtFormat readTt(SafetensorsFile st, String c) {
        int[] m = ints(st, c + "row_factors"), n = ints(st, c + "col_factors");
        int[] r = ints(st, c + "tt_ranks");
        return valid(st, "TT", () -> new TtFormat(m, n, r));
    }

    /**
     * The format {@code make} builds from a file's metadata, or why the metadata describes none.
     */
    private static <F extends MatrixFormat> F valid(
            SafetensorsFile st, String kind, java.util.function.Supplier<F> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(
                    st.path(),
                    null,
                    "__metadata__ describes no valid " + kind + " format: " + e.getMessage(),
                    e);
        }
    }

    private static int positiveInt(SafetensorsFile st, String key) {
        try {
            int v = Integer.parseInt(st.meta(key).strip());
            if (v < 1) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw notA(st, key, "positive integer");
        }
    }

    private static int[] ints(SafetensorsFile st, String key) {
        String[] parts = st.meta(key).split(",");
        if (parts.length > 16)
            throw new ModelFileException(
                    st.path(), null, "__metadata__ '" + key + "' has more than 16 entries");
        int[] out = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].strip());
        } catch (NumberFormatException e) {
            throw notA(st, key, "comma-separated list of integers");
        }
        return out;
    }

    /** "__metadata__ 'key' = 'value' is not a {@code what}". */
    private static ModelFileException notA(SafetensorsFile st, String key, String what) {
        return new ModelFileException(
                st.path(),
                null,
                "__metadata__ '" + key + "' = '" + st.meta(key) + "' is not a " + what);
    }

    static String join(int[] v) {
        return String.join(
                ",", Arrays.stream(v).mapToObj(Integer::toString).toArray(String[]::new));
    }
}
