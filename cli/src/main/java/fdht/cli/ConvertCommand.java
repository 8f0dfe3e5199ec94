package fdht.cli;

import fdht.kernels.decompose.HtDecomposition;
import fdht.kernels.decompose.Truncation;
import fdht.kernels.decompose.TtDecomposition;
import fdht.kernels.lstm.DenseHead;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.ColumnFactorization;
import fdht.layout.DimensionTree;
import fdht.layout.Weights;
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
 * {@code fdht convert}: a dense PyTorch {@code nn.LSTM} (safetensors) to an fdht model file, by
 * truncated HT-SVD (FDHT: one HT over {@code [W_ih W_hh]}; ht-input: HT over {@code W_ih} only)
 * or TT-SVD (the TIE baseline). Prints the ranks chosen, the parameters against dense and the
 * relative error of the weights.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, description = "Compress a dense PyTorch nn.LSTM (safetensors) into an fdht model file.")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--from-pytorch", required = true, description = "PyTorch state dict: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 [, <head>.weight, <head>.bias]")
    Path input;

    @Option(names = "--out", required = true, description = "fdht model file to write")
    Path output;

    @Option(names = "--ranks", defaultValue = "4", description = "full, one maximum rank R, or one per node r1,r2,... (HT: node ids 1..2d-1; TT: bonds 1..d-1). Default ${DEFAULT-VALUE}.")
    String ranks;

    @Option(names = "--tol", defaultValue = "0", description = "relative Frobenius error budget of the weights (0: none). Default ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--format", defaultValue = "fdht", description = "fdht, ht-input or tt. Default ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--order", defaultValue = "4", description = "number of factors d (2..8). Default ${DEFAULT-VALUE}.")
    int order;

    @Option(names = "--row-factors", split = ",", description = "factors of 4H (default: H split evenly, the first factor times the 4 gates)")
    int[] rowFactors;

    @Option(names = "--col-factors", split = ",", description = "factors covering the columns (default: chosen for the fewest MACs, balanced, <= 6% padding)")
    int[] colFactors;

    @Option(names = "--tree", description = "dimension tree, e.g. ((1,2),(3,4)) (default: balanced)")
    String tree;

    @Option(names = "--head-prefix", defaultValue = "fc", description = "prefix of the linear head's tensors. Default ${DEFAULT-VALUE}.")
    String headPrefix;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("fdht") && !format.equals("ht-input") && !format.equals("tt")) {
            throw new IllegalArgumentException("--format " + format + ": expected fdht, ht-input or tt");
        }
        try (Arena arena = Arena.ofConfined()) {
            LstmModelFile.DenseLstm dense = LstmModelFile.importPytorch(input, headPrefix, arena);
            int n = dense.inputSize(), h = dense.hidden(), fourH = 4 * h;
            boolean inputOnly = format.equals("ht-input");
            int cols = inputOnly ? n : n + h;
            MemorySegment w = dense.weights();
            if (inputOnly) {
                w = Weights.floats(arena, (long) fourH * n);
                for (long r = 0; r < fourH; r++) MemorySegment.copy(dense.weights(), r * (n + h) * Float.BYTES, w, r * n * Float.BYTES, (long) n * Float.BYTES);
            }
            Truncation truncation = truncation();
            int planRank = truncation.maxRank() == Integer.MAX_VALUE ? 4 : truncation.maxRank();
            int[] m = rowFactors != null ? rowFactors : gateRowFactors(h, order);
            int[] nf = colFactors != null ? colFactors : columnFactors(cols, m, planRank);
            long start = System.nanoTime();
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
                DimensionTree t = tree != null ? DimensionTree.parse(tree) : DimensionTree.balanced(m.length);
                HtDecomposition.Result r = HtDecomposition.decompose(w, cols, m, nf, t, truncation, arena, bar);
                error = r.relativeError();
                ranksChosen = "HT ranks by node " + Arrays.toString(r.matrix().format().ranks()) + " on tree " + t;
                if (inputOnly) {
                    MemorySegment wh = Weights.floats(arena, (long) fourH * h);
                    for (long row = 0; row < fourH; row++) MemorySegment.copy(dense.weights(), (row * (n + h) + n) * Float.BYTES, wh, row * h * Float.BYTES, (long) h * Float.BYTES);
                    lstm = Lstm.htInput(r.matrix(), wh, n, dense.bias(), arena);
                } else {
                    lstm = Lstm.fdht(r.matrix(), n, dense.bias(), arena);
                }
            }
            bar.done();
            DenseHead head = dense.head();
            if (head != null) lstm = lstm.withHead(head);
            LstmModelFile.write(lstm, output);
            long denseParams = (long) fourH * (n + h) + fourH;
            out.printf("%s -> %s (%s)%n", input, output, lstm.describe());
            out.printf("factors: rows %s, columns %s (%,d columns for %,d)%n", Arrays.toString(m), Arrays.toString(nf), product(nf), cols);
            out.println(ranksChosen);
            out.printf("parameters %,d against %,d dense (%,.1fx smaller); relative weight error %.3e; %.1f s%n", lstm.parameterCount(), denseParams,
                    (double) denseParams / lstm.parameterCount(), error, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private Truncation truncation() {
        String r = ranks.strip();
        if (r.equals("full")) return new Truncation(Integer.MAX_VALUE, tolerance);
        try {
            if (!r.contains(",")) return new Truncation(Integer.parseInt(r), tolerance);
            return Truncation.perNode(Arrays.stream(r.split(",")).mapToInt(x -> Integer.parseInt(x.strip())).toArray(), tolerance);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ranks " + ranks + ": expected full, a number, or a comma-separated list of numbers");
        }
    }

    private static int[] columnFactors(int cols, int[] m, int rank) {
        // widen the search until something fits: small layers cannot be balanced within 6%
        double[][] tries = {{0.06, 32, 3}, {0.25, 64, 8}, {1.0, 1 << 12, 1 << 12}};
        for (double[] t : tries) {
            try {
                return ColumnFactorization.cheapest(cols, m, rank, t[0], (int) t[1], t[2]);
            } catch (IllegalArgumentException e) {
                // try the next, looser search
            }
        }
        throw new IllegalArgumentException("no " + m.length + " column factors cover " + cols + " columns; give --col-factors");
    }

    /** H split evenly into d factors, the first times the 4 gates (gate-major rows): 16x4x4x4 for H = 256, as in DESIGN.md. */
    static int[] gateRowFactors(int hidden, int d) {
        int[] f = ColumnFactorization.exact(hidden, d);
        f[0] *= 4;
        return f;
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
            err.print("\rdecomposing [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + pct + "%");
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
