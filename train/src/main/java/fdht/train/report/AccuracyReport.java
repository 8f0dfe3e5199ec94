package fdht.train.report;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.layout.io.AtomicFile;
import fdht.train.data.MovingFashionMnist;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * Turns the runs of {@code tools/accuracy_runs.sh} (per run: {@code <row>-s<seed>.safetensors}, its
 * curve {@code .csv} and its {@code .log} whose first line is the command) into the results table
 * of docs/ACCURACY.md ({@code table.md}: parameters of the LSTM layer, compression against dense,
 * final test accuracy as mean, standard deviation and range over the seeds, seconds per epoch (the
 * last epoch, JIT-warm), the command) and two charts: accuracy against parameters on a log axis
 * ({@code accuracy-vs-parameters.png}) and the training curves of every row ({@code curves.png}:
 * test accuracy, {@code loss.png}: test loss; seed 1). Run: {@code java -cp ...
 * fdht.train.report.AccuracyReport DIR}.
 *
 * <p>Not thread-safe; a command-line tool.
 */
public final class AccuracyReport {
    private static final Pattern RUN = Pattern.compile("(.+)-s(\\d+)\\.safetensors\\.csv");

    record Run(String row, long seed, List<double[]> curve, String command, long parameters) {
        double finalTest() {
            return curve.getLast()[4];
        }

        /**
         * The last epoch's seconds: the first ones carry JIT warm-up (seconds, on a loaded
         * machine).
         */
        double secondsPerEpoch() {
            return curve.getLast()[5];
        }
    }

    private AccuracyReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println(
                    "usage: AccuracyReport DIR (the output directory of tools/accuracy_runs.sh)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Map<String, List<Run>> rows = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path csv : files.sorted().toList()) {
                Matcher m = RUN.matcher(csv.getFileName().toString());
                if (!m.matches()) continue;
                String row = m.group(1);
                Path model = dir.resolve(row + "-s" + m.group(2) + ".safetensors");
                List<double[]> curve = new ArrayList<>();
                for (String line :
                        Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
                    curve.add(
                            java.util.Arrays.stream(line.split(","))
                                    .mapToDouble(Double::parseDouble)
                                    .toArray());
                }
                if (curve.isEmpty()) continue;
                Path log = dir.resolve(model.getFileName() + ".log");
                String command = Files.exists(log) ? Files.readAllLines(log).getFirst() : "?";
                rows.computeIfAbsent(row, k -> new ArrayList<>())
                        .add(
                                new Run(
                                        row,
                                        Long.parseLong(m.group(2)),
                                        curve,
                                        command,
                                        parameters(model)));
            }
        }
        if (rows.isEmpty())
            throw new IllegalArgumentException("no runs (<row>-s<seed>.safetensors.csv) in " + dir);
        long dense = Lstm.denseParameterCount(MovingFashionMnist.FRAME_SIZE, 128);
        StringBuilder md = new StringBuilder();
        md.append(
                "| model | parameters (LSTM layer) | compression vs dense | test accuracy, mean ± sd [min, max] | train accuracy (last epoch, mean) | seeds | epochs | s, last epoch (mean over seeds) | command (seed 1) |\n");
        md.append("|---|---:|---:|---|---:|---:|---:|---:|---|\n");
        Map<String, double[]> points = new LinkedHashMap<>();
        for (var e : order(rows).entrySet()) {
            List<Run> runs = e.getValue();
            double[] acc = runs.stream().mapToDouble(Run::finalTest).toArray();
            double mean = java.util.Arrays.stream(acc).average().orElse(Double.NaN);
            double sd =
                    acc.length < 2
                            ? 0
                            : Math.sqrt(
                                    java.util.Arrays.stream(acc)
                                                    .map(a -> (a - mean) * (a - mean))
                                                    .sum()
                                            / (acc.length - 1));
            double min = java.util.Arrays.stream(acc).min().orElse(Double.NaN),
                    max = java.util.Arrays.stream(acc).max().orElse(Double.NaN);
            long params = runs.getFirst().parameters();
            double secs =
                    runs.stream().mapToDouble(Run::secondsPerEpoch).average().orElse(Double.NaN);
            Run first =
                    runs.stream().filter(r -> r.seed() == 1).findFirst().orElse(runs.getFirst());
            double train =
                    runs.stream()
                            .mapToDouble(r -> r.curve().getLast()[2])
                            .average()
                            .orElse(Double.NaN);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0fx | %.1f%% ± %.1f [%.1f, %.1f] | %.1f%% | %d | %d | %.1f | `%s` |%n",
                            e.getKey(),
                            params,
                            dense / (double) params,
                            100 * mean,
                            100 * sd,
                            100 * min,
                            100 * max,
                            100 * train,
                            runs.size(),
                            first.curve().size(),
                            secs,
                            first.command()));
            points.put(e.getKey(), new double[] {params, 100 * mean, 100 * sd});
        }
        byte[] table = md.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(dir.resolve("table.md"), o -> o.write(table));
        System.out.print(md);
        accuracyChart(points, dir.resolve("accuracy-vs-parameters.png"));
        curvesChart(
                rows,
                dir.resolve("curves.png"),
                4,
                "test accuracy, %",
                100,
                "test accuracy per epoch");
        curvesChart(
                rows,
                dir.resolve("loss.png"),
                3,
                "test cross-entropy (mean, natural log)",
                1,
                "test loss per epoch");
    }

    /**
     * Rows by format, the formats in the reverse of {@link LayerFormat#KEYS} (dense first, FDHT
     * last); ranks ascending; rows of no known format last.
     */
    private static Map<String, List<Run>> order(Map<String, List<Run>> rows) {
        Map<String, List<Run>> out = new LinkedHashMap<>();
        for (String prefix : LayerFormat.KEYS.reversed()) {
            rows.entrySet().stream()
                    .filter(e -> e.getKey().equals(prefix) || e.getKey().startsWith(prefix + "-r"))
                    .sorted((a, b) -> Integer.compare(rank(a.getKey()), rank(b.getKey())))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        rows.forEach(out::putIfAbsent);
        return out;
    }

    private static int rank(String row) {
        int at = row.lastIndexOf("-r");
        try {
            return at < 0 ? 0 : Integer.parseInt(row.substring(at + 2));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long parameters(Path model) {
        try (Arena arena = Arena.ofConfined()) {
            return LstmModelFile.readStack(model, arena).parameterCount();
        }
    }

    private static void accuracyChart(Map<String, double[]> points, Path png) throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title("MFM-40, hidden 128: test accuracy against parameters")
                        .xAxisTitle("parameters of the LSTM layer (log)")
                        .yAxisTitle("test accuracy, % (mean ± sd over seeds)")
                        .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        for (var e : points.entrySet()) {
            double[] p = e.getValue();
            chart.addSeries(
                    e.getKey(), new double[] {p[0]}, new double[] {p[1]}, new double[] {p[2]});
        }
        save(chart, png);
    }

    /**
     * Column {@code column} of every row's curve (seed 1) against the epoch, times {@code scale}.
     */
    private static void curvesChart(
            Map<String, List<Run>> rows,
            Path png,
            int column,
            String axis,
            double scale,
            String what)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title("MFM-40 training curves (seed 1): " + what)
                        .xAxisTitle("epoch")
                        .yAxisTitle(axis)
                        .build();
        for (var e : order(rows).entrySet()) {
            Run r =
                    e.getValue().stream()
                            .filter(x -> x.seed() == 1)
                            .findFirst()
                            .orElse(e.getValue().getFirst());
            double[] x = r.curve().stream().mapToDouble(l -> l[0]).toArray(),
                    y = r.curve().stream().mapToDouble(l -> scale * l[column]).toArray();
            chart.addSeries(e.getKey(), x, y);
        }
        save(chart, png);
    }

    /**
     * Through {@link AtomicFile}: a failed chart leaves neither a half PNG nor a temporary file.
     */
    static void save(XYChart chart, Path png) {
        AtomicFile.write(
                png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
