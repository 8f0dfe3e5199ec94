package fdht.cli;

import fdht.accel.AcceleratorConfig;
import fdht.accel.Comparison;
import fdht.accel.Sensitivity;
import fdht.accel.Sweep;
import fdht.accel.Variant;
import fdht.accel.Workload;
import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.io.AtomicOutputs;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht simulate}: the cycle-level model of the FDHT accelerator against TIE on a workload,
 * with the paper's ratios beside ours for the paper's workloads, or on a model file in any
 * compressed format ({@code --model}, TIE's model assumed or given with {@code --tie-model});
 * {@code --variant same-format} gives TIE a TT over {@code [x ; h]}, {@code --dram} counts DRAM in
 * frame time and energy, {@code --sensitivity DIR} writes a tornado chart of the ratios over every
 * fitted and assumed config entry, {@code --sweep DIR} sweeps PEs and banks. Its output files are
 * checked before the simulation and appear together or not at all ({@link AtomicOutputs}). Docs:
 * docs/ACCELERATOR.md.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description =
                "Model the FDHT accelerator and TIE on a workload, beside the paper's ratios.")
final class SimulateCommand implements Callable<Integer> {
    @Option(
            names = "--workload",
            defaultValue = "lstm-ucf",
            description = "lstm-ucf or lstm-youtube. Default ${DEFAULT-VALUE}.")
    String workload;

    @Option(
            names = "--model",
            description =
                    "simulate a model file instead: the FDHT chip runs it in its own format, any compressed one (fdht, ht-input, tt, tt-input;"
                            + " a dense W_h as a dense stage); TIE gets TT-LSTM at its largest rank (TT on W_x + dense W_h) unless --tie-model; no paper ratios")
    Path model;

    @Option(
            names = "--tie-model",
            description =
                    "a trained TT model file for TIE, with --model, so the two chips are compared on two trained models:"
                            + " kind tt-input (TT-LSTM as published) runs in the published variant, kind tt (one TT over [x;h]) in same-format")
    Path tieModel;

    @Option(
            names = "--config",
            description =
                    "FDHT accelerator config (properties; default: the bundled fdht.properties)")
    Path config;

    @Option(
            names = "--tie-config",
            description = "TIE config (properties; default: the bundled tie.properties)")
    Path tieConfig;

    @Option(
            names = "--variant",
            defaultValue = "published",
            description =
                    "published (TIE runs TT-LSTM: TT on W_x + dense W_h) or same-format "
                            + "(TIE runs a TT over [x;h] with FDHT's factors). Default ${DEFAULT-VALUE}.")
    String variant;

    @Option(
            names = "--dram",
            description =
                    "count DRAM in the frame time and energy (default: on-chip figures, as the paper reports them, DRAM beside)")
    boolean dram;

    @Option(
            names = "--sensitivity",
            description =
                    "vary every fitted and assumed config entry and write DIR/sensitivity-W.csv and DIR/sensitivity-W.png (tornado chart)")
    Path sensitivityDir;

    @Option(names = "--json", description = "also write the comparison as JSON")
    Path json;

    @Option(
            names = "--sweep",
            description =
                    "sweep PEs {4,8,16,32,64} x banks {4,8,16,32,64} and write DIR/sweep.csv and DIR/sweep.png")
    Path sweepDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Workload> layers =
                model == null ? List.of(Workload.named(workload)) : fromModel(model);
        AcceleratorConfig f =
                config == null ? AcceleratorConfig.fdht() : AcceleratorConfig.load(config);
        AcceleratorConfig t =
                tieConfig == null ? AcceleratorConfig.tie() : AcceleratorConfig.load(tieConfig);
        Variant v = Variant.of(variant);
        if (layers.size() > 1) {
            if (tieModel != null || sweepDir != null || sensitivityDir != null)
                throw new IllegalArgumentException(
                        "--tie-model, --sweep and --sensitivity take a one-layer model; this one has "
                                + layers.size()
                                + " layers and directions");
            try (AtomicOutputs outputs = new AtomicOutputs()) {
                outputs.file(json);
                simulateStack(layers, f, t, v, outputs, out);
                outputs.commit();
            }
            return 0;
        }
        Workload w = layers.getFirst();
        if (tieModel != null) {
            if (model == null)
                throw new IllegalArgumentException(
                        "--tie-model needs --model (the FDHT model it is compared with)");
            LayerFormat.Planned tie = tieFromModel(tieModel);
            Variant running = Variant.running(tie);
            if (spec.commandLine().getParseResult().hasMatchedOption("--variant") && v != running)
                throw new IllegalArgumentException(
                        "--variant "
                                + v.key()
                                + ": the --tie-model is "
                                + tie.key()
                                + ", which TIE runs in the "
                                + running.key()
                                + " variant");
            try {
                w = w.withTieModel(tie);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--tie-model " + tieModel + ": " + e.getMessage(), e);
            }
            v = running;
        }
        Path sensitivityCsv = null, sensitivityPng = null, sweepCsv = null, sweepPng = null;
        try (AtomicOutputs outputs = new AtomicOutputs()) {
            outputs.file(json);
            if (sensitivityDir != null) {
                String name = "sensitivity-" + w.name();
                sensitivityCsv = outputs.fileIn(sensitivityDir, name + ".csv");
                sensitivityPng = outputs.fileIn(sensitivityDir, name + ".png");
            }
            if (sweepDir != null) {
                sweepCsv = outputs.fileIn(sweepDir, "sweep.csv");
                sweepPng = outputs.fileIn(sweepDir, "sweep.png");
            }
            Comparison c = Comparison.run(w, f, t, v, dram, true);
            Sensitivity s = Sensitivity.run(w, f, t, v, dram);
            out.print(c.toTable(s));
            if (json != null) write(outputs, json, c.toJson());
            if (sensitivityDir != null) {
                write(outputs, sensitivityCsv, s.csv());
                double[] paper = c.paperRatios();
                TornadoChart.write(
                        s,
                        "FDHT / TIE on "
                                + w.name()
                                + " ("
                                + v.key()
                                + (dram ? ", DRAM counted" : ", on-chip")
                                + "): each fitted or assumed entry over its range",
                        paper == null ? Double.NaN : paper[0],
                        paper == null ? Double.NaN : paper[2],
                        16,
                        outputs.staging(sensitivityPng));
                out.print(s.toTable());
            }
            if (sweepDir != null) {
                List<Sweep.Point> points =
                        Sweep.run(w, f, t, v, dram, SweepChart.PES, SweepChart.BANKS);
                write(outputs, sweepCsv, Sweep.csv(points));
                SweepChart.write(points, w.name(), outputs.staging(sweepPng));
            }
            outputs.commit();
        }
        if (sensitivityDir != null)
            out.println("wrote " + sensitivityCsv + " and " + sensitivityPng);
        if (sweepDir != null) out.println("wrote " + sweepCsv + " and " + sweepPng);
        return 0;
    }

    /**
     * One workload per layer and direction of the model (one for a single-layer model), each layer
     * in its own format.
     */
    private static List<Workload> fromModel(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            LstmStack stack = LstmModelFile.readStack(file, arena);
            List<Workload> out = new ArrayList<>();
            for (int l = 0; l < stack.layerCount(); l++) {
                for (int d = 0; d < stack.directions(); d++) {
                    String name =
                            file.getFileName()
                                    + (stack.isSingle() ? "" : " " + LstmStack.name(l, d));
                    out.add(Workload.ofModel(name, compressed(name, stack.layer(l, d))));
                }
            }
            return out;
        }
    }

    /** The one-layer TT model TIE runs ({@code --tie-model}). */
    private static LayerFormat.Planned tieFromModel(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            LayerFormat.Planned f = compressed(file.toString(), LstmModelFile.read(file, arena));
            try {
                Variant.running(f);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--tie-model " + file + ": " + e.getMessage(), e);
            }
            return f;
        }
    }

    /** {@code lstm}'s format when it is a compressed one; {@code name} names it when not. */
    private static LayerFormat.Planned compressed(String name, Lstm lstm) {
        if (lstm.format() instanceof LayerFormat.Planned p) return p;
        throw new IllegalArgumentException(
                name
                        + " is "
                        + lstm.format().name()
                        + ": simulate takes a compressed model (kind "
                        + String.join(", ", LayerFormat.PLANNED_KEYS)
                        + ")");
    }

    /**
     * A stack, layer by layer: each layer and direction simulated on its own (a layer above the
     * first is modelled streaming its input as frames, like the first), then summed per frame:
     * MACs, cycles and energy add; frames/s is one over the summed frame times.
     */
    private void simulateStack(
            List<Workload> layers,
            AcceleratorConfig f,
            AcceleratorConfig t,
            Variant v,
            AtomicOutputs outputs,
            PrintWriter out) {
        double[] macs = new double[2],
                cycles = new double[2],
                energy = new double[2],
                seconds = new double[2];
        StringBuilder jsonText = new StringBuilder("[");
        for (Workload w : layers) {
            Comparison c = Comparison.run(w, f, t, v, dram, true);
            out.print(c.toTable());
            out.println();
            jsonText.append(jsonText.length() > 1 ? ",\n" : "").append(c.toJson());
            fdht.accel.Simulation[] both = {c.fdht(), c.tie()};
            for (int i = 0; i < 2; i++) {
                macs[i] += both[i].macsPerFrame();
                cycles[i] += both[i].frameCycles();
                energy[i] += both[i].energyPerFramePj();
                seconds[i] += 1 / both[i].framesPerSecond();
            }
        }
        out.printf("all %d layers and directions, per frame:%n", layers.size());
        out.printf("%-30s %16s %16s %10s%n", "", "FDHT", "TIE", "FDHT/TIE");
        out.printf("%-30s %,16.0f %,16.0f %10.2f%n", "MACs", macs[0], macs[1], macs[0] / macs[1]);
        out.printf(
                "%-30s %,16.0f %,16.0f %10.2f%n",
                "cycles", cycles[0], cycles[1], cycles[0] / cycles[1]);
        out.printf(
                "%-30s %,16.0f %,16.0f %10.2f%n",
                "frames/s", 1 / seconds[0], 1 / seconds[1], seconds[1] / seconds[0]);
        out.printf(
                "%-30s %,16.1f %,16.1f %10.2f%n",
                "energy/frame (nJ)", energy[0] / 1e3, energy[1] / 1e3, energy[0] / energy[1]);
        if (json != null) write(outputs, json, jsonText.append("]\n").toString());
    }

    private static void write(AtomicOutputs outputs, Path target, String text) {
        outputs.write(target, o -> o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
