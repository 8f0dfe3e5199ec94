package fdht.cli;

import fdht.accel.AcceleratorConfig;
import fdht.accel.Comparison;
import fdht.accel.Sweep;
import fdht.accel.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht simulate}: the cycle-level model of the FDHT accelerator against TIE on a workload,
 * with the paper's ratios beside ours; {@code --sweep} over PEs and banks writes a CSV and a PNG.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Model the FDHT accelerator and TIE on a workload, beside the paper's ratios.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--workload", defaultValue = "lstm-ucf", description = "lstm-ucf or lstm-youtube. Default ${DEFAULT-VALUE}.")
    String workload;

    @Option(names = "--model", description = "simulate an fdht model file's own HT format instead (TIE gets a TT of the same factors at its largest rank)")
    Path model;

    @Option(names = "--config", description = "FDHT accelerator config (properties; default: the bundled fdht.properties)")
    Path config;

    @Option(names = "--tie-config", description = "TIE config (properties; default: the bundled tie.properties)")
    Path tieConfig;

    @Option(names = "--json", description = "also write the comparison as JSON")
    Path json;

    @Option(names = "--sweep", description = "sweep PEs {4,8,16,32,64} x banks {4,8,16,32,64} and write DIR/sweep.csv and DIR/sweep.png")
    Path sweepDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Workload w = model == null ? Workload.named(workload) : fromModel(model);
        AcceleratorConfig f = config == null ? AcceleratorConfig.fdht() : AcceleratorConfig.load(config);
        AcceleratorConfig t = tieConfig == null ? AcceleratorConfig.tie() : AcceleratorConfig.load(tieConfig);
        Comparison c = Comparison.run(w, f, t);
        out.print(c.toTable());
        if (json != null) writeAtomically(json, c.toJson());
        if (sweepDir != null) {
            Files.createDirectories(sweepDir);
            List<Sweep.Point> points = Sweep.run(w, f, t, new int[]{4, 8, 16, 32, 64}, new int[]{4, 8, 16, 32, 64});
            writeAtomically(sweepDir.resolve("sweep.csv"), Sweep.csv(points));
            plot(points, sweepDir.resolve("sweep.png"), w.name());
            out.println("wrote " + sweepDir.resolve("sweep.csv") + " and " + sweepDir.resolve("sweep.png"));
        }
        return 0;
    }

    private static Workload fromModel(Path file) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            fdht.kernels.lstm.Lstm lstm = fdht.kernels.lstm.LstmModelFile.read(file, arena);
            fdht.layout.HtMatrix ht = lstm.fdhtWeights().orElseThrow(() -> new IllegalArgumentException(file + " is not an FDHT model (simulate takes kind fdht)"));
            return Workload.ofModel(file.getFileName().toString(), lstm.inputSize(), lstm.hiddenSize(), ht.format());
        }
    }

    private static void plot(List<Sweep.Point> points, Path png, String workload) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title("FDHT vs TIE, " + workload + ": PEs = banks")
                .xAxisTitle("PEs (= banks)").yAxisTitle("ratio FDHT / TIE").build();
        List<Sweep.Point> diagonal = points.stream().filter(p -> p.pes() == p.banks()).toList();
        double[] x = diagonal.stream().mapToDouble(Sweep.Point::pes).toArray();
        chart.addSeries("throughput", x, diagonal.stream().mapToDouble(p -> p.fdht().framesPerSecond() / p.tie().framesPerSecond()).toArray());
        chart.addSeries("energy efficiency", x, diagonal.stream().mapToDouble(p -> p.fdht().gopsPerWatt() / p.tie().gopsPerWatt()).toArray());
        chart.addSeries("area efficiency", x, diagonal.stream().mapToDouble(p -> p.fdht().gopsPerMm2() / p.tie().gopsPerMm2()).toArray());
        chart.getStyler().setXAxisLogarithmic(true);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(png.resolveSibling(tmp.getFileName() + ".png"), png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeAtomically(Path target, String text) {
        fdht.layout.io.AtomicFile.write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
