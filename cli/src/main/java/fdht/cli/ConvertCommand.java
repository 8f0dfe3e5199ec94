package fdht.cli;

import fdht.kernels.decompose.GateFactors;
import fdht.kernels.decompose.HtDecomposition;
import fdht.kernels.decompose.Truncation;
import fdht.kernels.decompose.TtDecomposition;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.PytorchStateDict;
import fdht.layout.DimensionTree;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.DoubleConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht convert}: a dense PyTorch {@code nn.LSTM} (safetensors; any number of layers, one or
 * both directions, each layer and direction compressed on its own) to an fdht model file, by
 * truncated HT-SVD (FDHT: one HT over {@code [W_ih W_hh]}; ht-input: HT over {@code W_ih} only) or
 * TT-SVD (the TIE baseline). Prints the ranks chosen, the parameters against dense and the relative
 * error of the weights.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Compress a dense PyTorch nn.LSTM (safetensors) into an fdht model file.")
final class ConvertCommand implements Callable<Integer> {
    @Option(
            names = "--from-pytorch",
            required = true,
            description =
                    "PyTorch state dict as safetensors: [<prefix>.]weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 [, <head>.weight, <head>.bias]")
    Path input;

    @Option(names = "--out", required = true, description = "fdht model file to write")
    Path output;

    @Option(
            names = "--ranks",
            defaultValue = "4",
            description =
                    "full, one maximum rank R, or one per node r1,r2,... (HT: node ids 1..2d-1; TT: bonds 1..d-1). Default ${DEFAULT-VALUE}.")
    String ranks;

    @Option(
            names = "--tol",
            defaultValue = "0",
            description =
                    "relative Frobenius error budget of the weights (0: none). Default ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(
            names = "--format",
            defaultValue = "fdht",
            description = "fdht, ht-input or tt. Default ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--order",
            defaultValue = "4",
            description = "number of factors d (2..8). Default ${DEFAULT-VALUE}.")
    int order;

    @Option(
            names = "--row-factors",
            split = ",",
            description =
                    "factors of 4H (default: H split evenly, the first factor times the 4 gates)")
    int[] rowFactors;

    @Option(
            names = "--col-factors",
            split = ",",
            description =
                    "factors covering the columns, for every layer (default: chosen per layer for the fewest MACs, balanced, <= 6% padding)")
    int[] colFactors;

    @Option(
            names = "--tree",
            description = "dimension tree, e.g. ((1,2),(3,4)) (default: balanced)")
    String tree;

    @Option(
            names = "--lstm-prefix",
            description =
                    "prefix of the nn.LSTM's tensors, e.g. lstm for lstm.weight_ih_l0 (default: detected)")
    String lstmPrefix;

    @Option(
            names = "--head-prefix",
            description =
                    "prefix of the linear head's tensors, e.g. fc for fc.weight, or none (default: detected when only one fits)")
    String headPrefix;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("fdht") && !format.equals("ht-input") && !format.equals("tt")) {
            throw new IllegalArgumentException(
                    "--format " + format + ": expected fdht, ht-input or tt");
        }
        Truncation truncation = truncation();
        try (Arena arena = Arena.ofConfined()) {
            PytorchStateDict.Import dense =
                    PytorchStateDict.read(input, lstmPrefix, headPrefix, arena);
            out.println(input + ": " + dense.describe());
            if (!dense.ignored().isEmpty())
                out.println("ignored: " + String.join(", ", dense.ignored()));
            if (dense.directions() == 2
                    && dense.head()
                            != null) { // the file cannot say which the head was trained on: name
                // the one imported
                out.println(
                        "note: the head reads output[:, -1] (the reverse direction after only the last frame), as head(output[:, -1]) does;"
                                + " a head trained on h_n (the reverse direction after the whole clip) will not give PyTorch's logits");
            }
            long start = System.nanoTime();
            int layers = dense.layerCount(), directions = dense.directions();
            Lstm[][] cells = new Lstm[layers][directions];
            for (int l = 0; l < layers; l++) {
                for (int d = 0; d < directions; d++) {
                    Compressed c;
                    try {
                        c = compress(dense.layers()[l][d], truncation, arena);
                    } catch (IllegalArgumentException e) {
                        throw layers > 1 || directions > 1
                                ? new IllegalArgumentException(
                                        LstmStack.name(l, d) + ": " + e.getMessage(), e)
                                : e;
                    }
                    cells[l][d] = c.lstm();
                    if (layers > 1 || directions > 1) out.println(LstmStack.name(l, d) + ":");
                    out.println(c.summary());
                }
            }
            LstmStack stack = LstmStack.of(cells, dense.head());
            LstmModelFile.write(stack, output);
            out.printf("%s -> %s (%s)%n", input, output, stack.describe());
            out.printf(
                    "parameters %,d against %,d dense (%s); %.1f s%n",
                    stack.parameterCount(),
                    dense.parameterCount(),
                    SizeRatio.of(stack.parameterCount(), dense.parameterCount()),
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /** One direction of one layer, compressed, and what to report of it. */
    private record Compressed(Lstm lstm, String summary) {}

    private Compressed compress(
            PytorchStateDict.DenseLayer dense, Truncation truncation, Arena arena) {
        int n = dense.inputSize(), h = dense.hidden();
        boolean inputOnly = format.equals("ht-input");
        int cols = inputOnly ? n : n + h;
        MemorySegment w =
                inputOnly ? dense.weights().inputWeights(arena) : dense.weights().weights();
        int planRank = truncation.maxRank() == Integer.MAX_VALUE ? 4 : truncation.maxRank();
        int[] m = rowFactors != null ? rowFactors : GateFactors.rows(h, order);
        int[] nf = colFactors != null ? colFactors : GateFactors.columns(cols, m, planRank);
        Progress bar = new Progress(spec.commandLine().getErr());
        Lstm lstm;
        double error;
        String ranksChosen;
        if (format.equals("tt")) {
            TtDecomposition.Result r = TtDecomposition.decompose(w, cols, m, nf, truncation, arena);
            lstm = Lstm.tt(r.matrix(), n, dense.bias(), arena);
            error = r.relativeError();
            int[] bonds = new int[m.length + 1];
            for (int k = 0; k <= m.length; k++) bonds[k] = r.matrix().format().bondRank(k);
            ranksChosen = "TT ranks " + Arrays.toString(bonds);
        } else {
            DimensionTree t =
                    tree != null ? DimensionTree.parse(tree) : DimensionTree.balanced(m.length);
            HtDecomposition.Result r =
                    HtDecomposition.decompose(w, cols, m, nf, t, truncation, arena, bar);
            error = r.relativeError();
            ranksChosen =
                    "HT ranks by node "
                            + Arrays.toString(r.matrix().format().ranks())
                            + " on tree "
                            + t;
            lstm =
                    inputOnly
                            ? Lstm.htInput(
                                    r.matrix(),
                                    dense.weights().hiddenWeights(arena),
                                    n,
                                    dense.bias(),
                                    arena)
                            : Lstm.fdht(r.matrix(), n, dense.bias(), arena);
        }
        bar.done();
        String summary =
                String.format(
                        "factors: rows %s, columns %s (%,d columns for %,d)%n%s%nrelative weight error %.3e",
                        Arrays.toString(m),
                        Arrays.toString(nf),
                        product(nf),
                        cols,
                        ranksChosen,
                        error);
        return new Compressed(lstm, summary);
    }

    private Truncation truncation() {
        String r = ranks.strip();
        if (r.equals("full")) return new Truncation(Integer.MAX_VALUE, tolerance);
        try {
            if (!r.contains(",")) return new Truncation(Integer.parseInt(r), tolerance);
            return Truncation.perNode(
                    Arrays.stream(r.split(","))
                            .mapToInt(x -> Integer.parseInt(x.strip()))
                            .toArray(),
                    tolerance);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--ranks "
                            + ranks
                            + ": expected full, a number, or a comma-separated list of numbers");
        }
    }

    private static long product(int[] f) {
        long p = 1;
        for (int x : f) p *= x;
        return p;
    }

    /** A progress bar on stderr when it is a terminal; silent otherwise. */
    static final class Progress implements DoubleConsumer {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private int shown = -1;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void accept(double fraction) {
            int pct = (int) Math.round(100 * Math.min(1, Math.max(0, fraction)));
            if (!terminal || pct == shown) return;
            shown = pct;
            int filled = pct * 30 / 100;
            err.print(
                    "\rdecomposing ["
                            + "#".repeat(filled)
                            + " ".repeat(30 - filled)
                            + "] "
                            + pct
                            + "%");
            err.flush();
        }

        void done() {
            if (terminal && shown >= 0) {
                err.print("\r" + " ".repeat(50) + "\r");
                err.flush();
            }
        }
    }
}
