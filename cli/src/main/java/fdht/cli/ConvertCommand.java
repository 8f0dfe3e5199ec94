package fdht.cli;

import fdht.convert.LayerDecomposition;
import fdht.kernels.format.GateFactors;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.format.RankSpec;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.kernels.lstm.PytorchStateDict;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
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
 * TT-SVD (tt: one TT over {@code [W_ih W_hh]}; tt-input: TT-LSTM as published, TT over {@code W_ih}
 * only); the x-only formats keep {@code W_hh} dense, as it is. Prints the ranks chosen, the
 * parameters against dense and the relative error of the weights.
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
                    "full (each node at the largest rank it can use), one maximum rank R, or one per node r1,r2,... (HT: node ids 1..2d-1; TT: bonds 1..d-1). Default ${DEFAULT-VALUE}.")
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
            completionCandidates = FormatOptions.PlannedKeys.class,
            description = "${COMPLETION-CANDIDATES}. Default ${DEFAULT-VALUE}.")
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
        if (!LayerFormat.PLANNED_KEYS.contains(format))
            throw new IllegalArgumentException(
                    "--format "
                            + format
                            + ": expected one of "
                            + String.join(", ", LayerFormat.PLANNED_KEYS));
        RankSpec rankSpec = FormatOptions.named("", () -> RankSpec.parse(ranks));
        DimensionTree dimensionTree = null;
        if (tree != null) {
            try {
                dimensionTree = DimensionTree.parse(tree);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--tree " + tree + ": " + e.getMessage(), e);
            }
        }
        DimensionTree given = dimensionTree;
        GateFactors factors =
                FormatOptions.named(
                        "", () -> new GateFactors(order, rowFactors, colFactors, given, false));
        try (Arena arena = Arena.ofConfined()) {
            PytorchStateDict.Import dense =
                    PytorchStateDict.read(input, lstmPrefix, headPrefix, arena);
            LstmStack original = dense.stack();
            out.println(input + ": " + dense.describe());
            if (!dense.ignored().isEmpty())
                out.println("ignored: " + String.join(", ", dense.ignored()));
            if (original.directions() == 2 && original.head().isPresent()) {
                // the file cannot say which the head was trained on: name the one imported
                out.println(
                        "note: the head reads output[:, -1] (the reverse direction after only the last frame), as head(output[:, -1]) does;"
                                + " a head trained on h_n (the reverse direction after the whole clip) will not give PyTorch's logits");
            }
            long start = System.nanoTime();
            int layers = original.layerCount(), directions = original.directions();
            boolean several = layers > 1 || directions > 1;
            Lstm[][] cells = new Lstm[layers][directions];
            for (int l = 0; l < layers; l++) {
                for (int d = 0; d < directions; d++) {
                    Lstm layer = original.layer(l, d);
                    LayerFormat.Planned target =
                            (LayerFormat.Planned)
                                    FormatOptions.named(
                                            several ? LstmStack.name(l, d) + ": " : "",
                                            () ->
                                                    LayerFormat.parse(
                                                            format,
                                                            rankSpec,
                                                            layer.inputSize(),
                                                            layer.hiddenSize(),
                                                            factors));
                    Progress bar = new Progress(spec.commandLine().getErr());
                    LayerDecomposition.Result c;
                    try {
                        c = LayerDecomposition.compress(layer, target, tolerance, arena, bar);
                    } catch (IllegalArgumentException e) {
                        throw several
                                ? new IllegalArgumentException(
                                        LstmStack.name(l, d) + ": " + e.getMessage(), e)
                                : e;
                    }
                    bar.done();
                    cells[l][d] = c.layer();
                    if (several) out.println(LstmStack.name(l, d) + ":");
                    out.println(summary(c, target));
                }
            }
            LstmStack stack = LstmStack.of(cells, original.head().orElse(null));
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

    /** What to report of a compressed layer: factors, ranks kept, error. */
    private static String summary(LayerDecomposition.Result c, LayerFormat.Planned target) {
        MatrixFormat m = ((LayerFormat.Planned) c.layer().format()).matrix();
        String ranksKept =
                switch (m) {
                    case HtFormat ht ->
                            "HT ranks by node "
                                    + Arrays.toString(ht.ranks())
                                    + " on tree "
                                    + ht.tree();
                    case TtFormat tt -> "TT ranks " + Arrays.toString(tt.bondRanks());
                };
        return String.format(
                "factors: rows %s, columns %s (%,d columns for %,d)%n%s%nrelative weight error %.3e",
                Arrays.toString(m.rowFactors()),
                Arrays.toString(m.colFactors()),
                (long) m.cols(),
                target.columns(),
                ranksKept,
                c.relativeError());
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
