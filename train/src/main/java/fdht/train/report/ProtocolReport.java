package fdht.train.report;

import fdht.kernels.lstm.Lstm;
import fdht.layout.io.AtomicFile;
import fdht.train.EpochLine;
import fdht.train.RunResult;
import fdht.train.TrainingRun;
import fdht.train.data.MfmTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The tables and charts of protocol C (docs/ACCURACY.md) from the runs of {@code
 * tools/accuracy_runs.sh}: {@code OUT/<regime>/<row>/lr<R>-s<S>.safetensors.result.json} (a {@link
 * RunResult}), its curve and its log. Per regime, a Markdown table ({@code OUT/<regime>/table.md},
 * also printed): per row the LSTM layer's weights and its compression against dense, the rate
 * chosen on validation (the grid's seed-1 runs: the best validation accuracy, ties to the lower
 * validation loss, as the script chooses), each grid rate's validation accuracy, the test accuracy
 * over the seeds at the chosen rate as mean ± sd [min, max], the validation accuracy's mean, the
 * epochs used (best epoch / epochs run, per seed), the seconds per epoch (mean), and seed 1's
 * command; rows still running say how far they are. Charts: test accuracy against the LSTM weights
 * on a log axis, mean ± sd over the seeds ({@code OUT/accuracy-vs-weights.png}, one panel per
 * regime side by side) and the validation accuracy per epoch of every row's seed-1 run at the
 * chosen rate ({@code OUT/<regime>/validation.png}).
 *
 * <p>Run: {@code java -cp 'cli/target/lib/*' fdht.train.report.ProtocolReport OUT}. Not
 * thread-safe; a command-line tool.
 */
public final class ProtocolReport {
    private static final Pattern RUN =
            Pattern.compile("lr([0-9.eE+-]+)-s(\\d+)\\.safetensors\\.result\\.json");
    private static final List<String> REGIMES = List.of("full", "small", "ucf");

    /** One finished run. */
    record Run(
            String row,
            double rate,
            long seed,
            RunResult result,
            List<EpochLine> curve,
            String command) {}

    /** A row of a regime: its finished runs, the chosen rate, the seeds at it. */
    record Row(String name, List<Run> runs) {
        List<Run> grid() {
            return runs.stream()
                    .filter(r -> r.seed() == 1)
                    .sorted(Comparator.comparingDouble(Run::rate))
                    .toList();
        }

        /** The grid's best validation accuracy, ties to the lower validation loss. */
        Run chosen() {
            return grid().stream()
                    .min(
                            Comparator.comparingDouble((Run r) -> -r.result().valAccuracy())
                                    .thenComparingDouble(r -> r.result().valLoss()))
                    .orElse(null);
        }

        List<Run> seeds() {
            Run c = chosen();
            return c == null
                    ? List.of()
                    : runs.stream()
                            .filter(r -> r.rate() == c.rate())
                            .sorted(Comparator.comparingLong(Run::seed))
                            .toList();
        }
    }

    /** Mean, sample standard deviation, min and max of some accuracies (fractions). */
    record Spread(double mean, double sd, double min, double max, int n) {
        static Spread of(double[] v) {
            double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            return new Spread(
                    mean,
                    v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1)),
                    java.util.Arrays.stream(v).min().orElse(Double.NaN),
                    java.util.Arrays.stream(v).max().orElse(Double.NaN),
                    v.length);
        }
    }

    private ProtocolReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println(
                    "usage: ProtocolReport OUT (the --out directory of tools/accuracy_runs.sh)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Map<String, List<Row>> regimes = read(out);
        if (regimes.isEmpty())
            throw new IllegalArgumentException(
                    "no finished runs (<regime>/<row>/lr<R>-s<S>.safetensors.result.json) in "
                            + out);
        for (var e : regimes.entrySet()) {
            String md = table(e.getKey(), e.getValue());
            byte[] bytes = md.getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(out.resolve(e.getKey()).resolve("table.md"), o -> o.write(bytes));
            System.out.println("### " + e.getKey() + "\n\n" + md);
            AccuracyReport.save(
                    validationChart(e.getKey(), e.getValue()),
                    out.resolve(e.getKey()).resolve("validation.png"));
        }
        List<XYChart> panels = new ArrayList<>();
        regimes.forEach((regime, rows) -> panels.add(accuracyChart(regime, rows)));
        savePanels(panels, out.resolve("accuracy-vs-weights.png"));
    }

    /**
     * Regime to rows (in the order of {@link #order}), from the directory tree under {@code out}.
     */
    static Map<String, List<Row>> read(Path out) throws IOException {
        Map<String, List<Row>> regimes = new LinkedHashMap<>();
        for (String regime : REGIMES) {
            Path dir = out.resolve(regime);
            if (!Files.isDirectory(dir)) continue;
            Map<String, List<Run>> rows = new TreeMap<>();
            try (Stream<Path> files = Files.walk(dir, 2)) {
                for (Path p : files.sorted().toList()) {
                    Matcher m = RUN.matcher(p.getFileName().toString());
                    if (!m.matches()) continue;
                    String row = p.getParent().getFileName().toString();
                    Path model =
                            p.resolveSibling(
                                    p.getFileName().toString().replace(".result.json", ""));
                    rows.computeIfAbsent(row, k -> new ArrayList<>())
                            .add(
                                    run(
                                            row,
                                            Double.parseDouble(m.group(1)),
                                            Long.parseLong(m.group(2)),
                                            p,
                                            model));
                }
            }
            if (rows.isEmpty()) continue;
            List<Row> list = new ArrayList<>();
            for (String name : order(rows.keySet())) list.add(new Row(name, rows.get(name)));
            regimes.put(regime, list);
        }
        return regimes;
    }

    private static Run run(String row, double rate, long seed, Path result, Path model)
            throws IOException {
        RunResult r = RunResult.read(result);
        List<EpochLine> curve = new ArrayList<>();
        Path csv = TrainingRun.curvePath(model);
        if (Files.exists(csv))
            for (String l : Files.readAllLines(csv).stream().skip(1).toList())
                curve.add(EpochLine.parse(l));
        Path log = model.resolveSibling(model.getFileName() + ".log");
        String command = Files.exists(log) ? Files.readAllLines(log).getFirst() : r.command();
        return new Run(row, rate, seed, r, curve, command);
    }

    /**
     * dense, tt-input, tt, ht-input, fdht (ranks ascending, per-node ranks last), then the rest.
     */
    static List<String> order(java.util.Collection<String> rows) {
        List<String> out = new ArrayList<>();
        for (String f : List.of("dense", "tt-input", "tt", "ht-input", "fdht"))
            rows.stream()
                    .filter(r -> r.equals(f) || r.startsWith(f + "-r"))
                    .sorted(
                            Comparator.comparingInt(ProtocolReport::firstRank)
                                    .thenComparing(r -> r))
                    .forEach(out::add);
        rows.stream().filter(r -> !out.contains(r)).sorted().forEach(out::add);
        return out;
    }

    private static int firstRank(String row) {
        Matcher m = Pattern.compile("-r(\\d+)(-\\d+)*$").matcher(row);
        if (!m.find()) return 0;
        return Integer.parseInt(m.group(1)) + (m.group(2) != null ? 1000 : 0);
    }

    /** The Markdown table of one regime. */
    static String table(String regime, List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append(
                "| model | LSTM weights | compression vs dense | rate chosen (grid: validation accuracy) | test accuracy, mean ± sd [min, max] | validation accuracy (mean) | seeds | epochs (best / run, per seed) | s per epoch | command (seed 1) |\n");
        md.append("|---|---:|---:|---|---|---:|---:|---|---:|---|\n");
        for (Row row : rows) {
            Run chosen = row.chosen();
            RunResult any = row.runs().getFirst().result();
            long weights = any.layerParameters();
            long dense =
                    Lstm.denseParameterCount(
                            MfmTask.parse(any.option("--task")).frameSize(),
                            Integer.parseInt(any.option("--hidden")));
            StringBuilder grid = new StringBuilder();
            for (Run g : row.grid())
                grid.append(grid.isEmpty() ? "" : ", ")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "%s: %.1f%%",
                                        rate(g.rate()),
                                        100 * g.result().valAccuracy()));
            List<Run> seeds = row.seeds();
            Spread test =
                    Spread.of(seeds.stream().mapToDouble(r -> r.result().testAccuracy()).toArray());
            Spread val =
                    Spread.of(seeds.stream().mapToDouble(r -> r.result().valAccuracy()).toArray());
            String epochs =
                    String.join(
                            ", ",
                            seeds.stream()
                                    .map(r -> r.result().bestEpoch() + "/" + r.result().epochsRun())
                                    .toList());
            double seconds =
                    seeds.stream()
                            .mapToDouble(r -> r.result().secondsPerEpoch())
                            .average()
                            .orElse(Double.NaN);
            Run first = seeds.isEmpty() ? row.runs().getFirst() : seeds.getFirst();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0fx | %s (%s) | %s | %.1f%% | %d%s | %s | %.1f | `%s` |%n",
                            row.name(),
                            weights,
                            dense / (double) weights,
                            chosen == null ? "?" : rate(chosen.rate()),
                            grid,
                            seeds.isEmpty()
                                    ? "-"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.1f%% ± %.1f [%.1f, %.1f]",
                                            100 * test.mean(),
                                            100 * test.sd(),
                                            100 * test.min(),
                                            100 * test.max()),
                            100 * val.mean(),
                            seeds.size(),
                            seeds.size() < 3 ? " (running)" : "",
                            epochs,
                            seconds,
                            first.command()));
        }
        return md.toString();
    }

    private static String rate(double r) {
        return java.math.BigDecimal.valueOf(r).stripTrailingZeros().toPlainString();
    }

    /** One panel: test accuracy against LSTM weights (log axis), mean ± sd over the seeds. */
    private static XYChart accuracyChart(String regime, List<Row> rows) {
        XYChart chart =
                new XYChartBuilder()
                        .width(700)
                        .height(560)
                        .title("Protocol C, " + regime + ": test accuracy (mean ± sd of the seeds)")
                        .xAxisTitle("weights of the LSTM layer (log axis)")
                        .yAxisTitle("test accuracy, %")
                        .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(9);
        for (Row row : rows) {
            List<Run> seeds = row.seeds();
            if (seeds.isEmpty()) continue;
            Spread s =
                    Spread.of(seeds.stream().mapToDouble(r -> r.result().testAccuracy()).toArray());
            XYSeries series =
                    chart.addSeries(
                            row.name() + (seeds.size() != 3 ? " (" + seeds.size() + " seeds)" : ""),
                            new double[] {row.runs().getFirst().result().layerParameters()},
                            new double[] {100 * s.mean()},
                            new double[] {100 * s.sd()});
            style(series, row.name());
        }
        return chart;
    }

    /**
     * The same look for a row in every panel: its format's colour, its rank's marker (fdht-r4:
     * FDHT's red, a circle), so the regimes' panels read side by side.
     */
    private static void style(XYSeries series, String row) {
        String format = row.replaceFirst("-r[0-9].*$", "");
        java.awt.Color color =
                switch (format) {
                    case "dense" -> new java.awt.Color(0x1f, 0x3a, 0x93);
                    case "fdht" -> new java.awt.Color(0xc6, 0x28, 0x28);
                    case "tt-input" -> new java.awt.Color(0xe6, 0x8a, 0x00);
                    case "tt" -> new java.awt.Color(0x7b, 0x1f, 0xa2);
                    case "ht-input" -> new java.awt.Color(0x2e, 0x7d, 0x32);
                    default -> java.awt.Color.DARK_GRAY;
                };
        String rank = row.startsWith(format + "-r") ? row.substring(format.length() + 2) : "";
        org.knowm.xchart.style.markers.Marker marker =
                switch (rank) {
                    case "2" -> org.knowm.xchart.style.markers.SeriesMarkers.TRIANGLE_UP;
                    case "8" -> org.knowm.xchart.style.markers.SeriesMarkers.SQUARE;
                    case "16" -> org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND;
                    case "", "4" -> org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE;
                    default -> org.knowm.xchart.style.markers.SeriesMarkers.CROSS; // per-node ranks
                };
        series.setMarkerColor(color);
        series.setLineColor(color);
        series.setMarker(marker);
    }

    /** The panels side by side in one PNG, written atomically. */
    private static void savePanels(List<XYChart> panels, Path png) {
        List<java.awt.image.BufferedImage> images =
                panels.stream().map(BitmapEncoder::getBufferedImage).toList();
        int w = images.stream().mapToInt(java.awt.image.BufferedImage::getWidth).sum(),
                h =
                        images.stream()
                                .mapToInt(java.awt.image.BufferedImage::getHeight)
                                .max()
                                .orElse(1);
        java.awt.image.BufferedImage all =
                new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = all.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (java.awt.image.BufferedImage i : images) {
            g.drawImage(i, x, 0, null);
            x += i.getWidth();
        }
        g.dispose();
        AtomicFile.write(
                png,
                out -> {
                    if (!javax.imageio.ImageIO.write(all, "png", out))
                        throw new IOException("no PNG writer");
                });
    }

    /** Validation accuracy per epoch, seed 1 at the chosen rate of every row. */
    private static XYChart validationChart(String regime, List<Row> rows) {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(
                                "Protocol C, "
                                        + regime
                                        + ": validation accuracy per epoch (seed 1, chosen rate)")
                        .xAxisTitle("epoch")
                        .yAxisTitle("validation accuracy, %")
                        .build();
        for (Row row : rows) {
            Run c = row.chosen();
            if (c == null || c.curve().isEmpty()) continue;
            chart.addSeries(
                    row.name() + " (lr " + rate(c.rate()) + ")",
                    c.curve().stream().mapToDouble(EpochLine::epoch).toArray(),
                    c.curve().stream().mapToDouble(l -> 100 * l.valAccuracy()).toArray());
        }
        return chart;
    }
}
