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
 * fdht's LSTM model files (safetensors; the layout is specified in {@code docs/FORMAT.md}); a
 * dense PyTorch {@code nn.LSTM} state dict is read by {@link PytorchStateDict}. Every problem with a file is a
 * {@link ModelFileException} naming the file and the tensor or metadata key.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class LstmModelFile {
    public static final String FORMAT = "fdht-lstm";
    public static final String VERSION = "1";

    private LstmModelFile() {}

    /** Writes an FDHT, HT-input or TT layer (with its head) as an fdht model file. Dense layers have no fdht file: keep their PyTorch file. */
    public static void write(Lstm lstm, Path path) {
        SafetensorsWriter w = new SafetensorsWriter()
                .metadata("format", FORMAT)
                .metadata("format_version", VERSION)
                .metadata("input_size", Integer.toString(lstm.inputSize()))
                .metadata("hidden_size", Integer.toString(lstm.hiddenSize()))
                .metadata("gate_order", "ifgo");
        int fourH = 4 * lstm.hiddenSize();
        switch (lstm.projection()) {
            case FdhtProjection p -> {
                w.metadata("kind", "fdht");
                htTensors(w, p.weights());
            }
            case HtInputProjection p -> {
                w.metadata("kind", "ht-input");
                htTensors(w, p.inputWeights());
                w.add("lstm.weight_hh", new long[]{fourH, lstm.hiddenSize()}, p.hiddenWeights().asSlice(0, (long) fourH * lstm.hiddenSize() * Float.BYTES));
            }
            case TtProjection p -> {
                w.metadata("kind", "tt");
                TtFormat f = p.weights().format();
                int d = f.order();
                w.metadata("row_factors", join(f.rowFactors())).metadata("col_factors", join(f.colFactors()));
                int[] r = new int[d + 1];
                for (int k = 0; k <= d; k++) r[k] = f.bondRank(k);
                w.metadata("tt_ranks", join(r));
                for (int k = 0; k < d; k++) {
                    float[] core = new float[f.coreSize(k)];
                    int e = 0;
                    for (int a = 0; a < r[k]; a++)
                        for (int i = 0; i < f.rowFactor(k); i++)
                            for (int j = 0; j < f.colFactor(k); j++)
                                for (int b = 0; b < r[k + 1]; b++) core[e++] = p.weights().core(k, a, i, j, b);
                    w.add("tt.core." + (k + 1), new long[]{r[k], f.rowFactor(k), f.colFactor(k), r[k + 1]}, core);
                }
            }
            case DenseProjection p -> throw new IllegalArgumentException("a dense LSTM has no fdht model file; convert it first");
        }
        w.add("lstm.bias", new long[]{fourH}, lstm.biasToArray());
        lstm.head().ifPresent(h -> {
            w.metadata("head_classes", Integer.toString(h.classes()));
            w.add("head.weight", new long[]{h.classes(), h.hidden()}, h.weightsToArray());
            w.add("head.bias", new long[]{h.classes()}, h.biasToArray());
        });
        w.write(path);
    }

    private static void htTensors(SafetensorsWriter w, HtMatrix ht) {
        HtFormat f = ht.format();
        w.metadata("row_factors", join(f.rowFactors())).metadata("col_factors", join(f.colFactors()))
                .metadata("tree", f.tree().toString()).metadata("ranks", join(f.ranks()));
        float[][] nodes = ht.toArrays();
        DimensionTree tree = f.tree();
        for (int t = 0; t < tree.nodeCount(); t++) w.add("ht.node." + (t + 1), htShape(f, t), nodes[t]);
    }

    private static long[] htShape(HtFormat f, int t) {
        DimensionTree tree = f.tree();
        if (tree.isLeaf(t)) return new long[]{f.rowFactor(t), f.colFactor(t), f.rank(t)};
        return new long[]{f.rank(t), f.rank(tree.left(t)), f.rank(tree.right(t))};
    }

    /** Reads an fdht model file; the layer's weights are copied into {@code arena}. */
    public static Lstm read(Path path, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            SafetensorsFile st = SafetensorsFile.open(path, scratch);
            if (!st.metadata().containsKey("format") && st.tensors().containsKey("weight_ih_l0")) {
                throw new ModelFileException(path, null, "this is a PyTorch nn.LSTM state dict, not an fdht model: run 'fdht convert --from-pytorch' first");
            }
            if (!FORMAT.equals(st.meta("format"))) throw new ModelFileException(path, null, "__metadata__ format is '" + st.meta("format") + "', not '" + FORMAT + "'");
            if (!VERSION.equals(st.meta("format_version"))) throw new ModelFileException(path, null, "format_version '" + st.meta("format_version") + "' is not supported (this build reads " + VERSION + ")");
            if (!"ifgo".equals(st.meta("gate_order"))) throw new ModelFileException(path, null, "gate_order '" + st.meta("gate_order") + "' is not 'ifgo'");
            int input = positiveInt(st, "input_size"), hidden = positiveInt(st, "hidden_size");
            int fourH = 4 * hidden;
            st.requireShape("lstm.bias", fourH);
            float[] bias = st.toArray("lstm.bias");
            String kind = st.meta("kind");
            Lstm lstm;
            try {
                lstm = switch (kind) {
                    case "fdht" -> Lstm.fdht(readHt(st, arena), input, bias, arena);
                    case "ht-input" -> {
                        HtMatrix wx = readHt(st, arena);
                        st.requireShape("lstm.weight_hh", fourH, hidden);
                        MemorySegment wh = Weights.floats(arena, (long) fourH * hidden);
                        MemorySegment.copy(st.floats("lstm.weight_hh", scratch), 0, wh, 0, (long) fourH * hidden * Float.BYTES);
                        yield Lstm.htInput(wx, wh, input, bias, arena);
                    }
                    case "tt" -> Lstm.tt(readTt(st, arena), input, bias, arena);
                    default -> throw new ModelFileException(path, null, "kind '" + kind + "' is not fdht, ht-input or tt");
                };
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, null, "inconsistent model: " + e.getMessage(), e);
            }
            if (st.metadata().containsKey("head_classes")) {
                int classes = positiveInt(st, "head_classes");
                st.requireShape("head.weight", classes, hidden);
                st.requireShape("head.bias", classes);
                lstm = lstm.withHead(new DenseHead(st.toArray("head.weight"), st.toArray("head.bias"), classes, hidden, arena));
            }
            return lstm;
        }
    }

    private static HtMatrix readHt(SafetensorsFile st, Arena arena) {
        Path path = st.path();
        int[] m = ints(st, "row_factors"), n = ints(st, "col_factors"), ranks = ints(st, "ranks");
        HtFormat f;
        try {
            f = new HtFormat(m, n, DimensionTree.parse(st.meta("tree")), ranks);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, null, "__metadata__ describes no valid HT format: " + e.getMessage(), e);
        }
        float[][] nodes = new float[f.tree().nodeCount()][];
        for (int t = 0; t < nodes.length; t++) {
            String name = "ht.node." + (t + 1);
            st.requireShape(name, htShape(f, t));
            nodes[t] = st.toArray(name);
        }
        return HtMatrix.of(f, nodes, arena);
    }

    private static TtMatrix readTt(SafetensorsFile st, Arena arena) {
        int[] m = ints(st, "row_factors"), n = ints(st, "col_factors"), r = ints(st, "tt_ranks");
        TtFormat f;
        try {
            f = new TtFormat(m, n, r);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(st.path(), null, "__metadata__ describes no valid TT format: " + e.getMessage(), e);
        }
        float[][] cores = new float[f.order()][];
        for (int k = 0; k < cores.length; k++) {
            String name = "tt.core." + (k + 1);
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
            throw new ModelFileException(st.path(), null, "__metadata__ '" + key + "' = '" + st.meta(key) + "' is not a positive integer");
        }
    }

    private static int[] ints(SafetensorsFile st, String key) {
        String v = st.meta(key);
        String[] parts = v.split(",");
        if (parts.length > 16) throw new ModelFileException(st.path(), null, "__metadata__ '" + key + "' has more than 16 entries");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new ModelFileException(st.path(), null, "__metadata__ '" + key + "' = '" + v + "' is not a comma-separated list of integers");
            }
        }
        return out;
    }

    static String join(int[] v) {
        return String.join(",", Arrays.stream(v).mapToObj(Integer::toString).toArray(String[]::new));
    }
}
