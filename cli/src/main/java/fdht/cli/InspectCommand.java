package fdht.cli;

import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmModelFile;
import fdht.kernels.lstm.LstmStack;
import fdht.layout.ContractionPlan;
import fdht.layout.LanePlan;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fdht inspect --model M}: what a model file holds and how each layer and direction will be
 * contracted.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Show a model's format, tree, factors, ranks, sizes and contraction plan.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "fdht model file (.safetensors)")
    Path model;

    @Option(
            names = "--batch",
            defaultValue = "1",
            description = "Batch size of the plan shown (default ${DEFAULT-VALUE}).")
    int batch;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Arena arena = Arena.ofConfined()) {
            LstmStack stack = LstmModelFile.readStack(model, arena);
            out.println(model + ": " + stack.describe());
            out.printf(
                    "input N_x %,d, hidden H %d, %d layer%s, %s, gates i f g o%n",
                    stack.inputSize(),
                    stack.hiddenSize(),
                    stack.layerCount(),
                    stack.layerCount() == 1 ? "" : "s",
                    stack.directions() == 2
                            ? "both directions (output D*H = " + stack.outputSize() + ")"
                            : "one direction");
            long params = stack.parameterCount(), dense = 0;
            for (int l = 0; l < stack.layerCount(); l++) {
                for (int d = 0; d < stack.directions(); d++) {
                    Lstm lstm = stack.layer(l, d);
                    dense += lstm.denseParameterCount();
                }
            }
            out.printf(
                    "parameters %,d (%,d bytes) against %,d dense (%s)%n",
                    params, params * 4, dense, SizeRatio.of(params, dense));
            stack.head()
                    .ifPresent(
                            h ->
                                    out.printf(
                                            "head: %d classes x %d inputs (the last layer's output at the last frame)%n",
                                            h.classes(), h.hidden()));
            for (int l = 0; l < stack.layerCount(); l++) {
                for (int d = 0; d < stack.directions(); d++) {
                    Lstm lstm = stack.layer(l, d);
                    out.println();
                    if (!stack.isSingle()) {
                        long p = lstm.parameterCount(), pd = lstm.denseParameterCount();
                        out.printf(
                                "%s: %s; input %,d; parameters %,d (%s)%n",
                                LstmStack.name(l, d),
                                lstm.projection().describe(),
                                lstm.inputSize(),
                                p,
                                SizeRatio.of(p, pd));
                    }
                    out.println(lstm.format().shapes());
                    lstm.plan(batch)
                            .ifPresent(
                                    plan -> {
                                        out.println();
                                        out.print(plan.toTable());
                                        out.println(laneLine(plan));
                                        out.println(
                                                "execution path at batch "
                                                        + batch
                                                        + ": "
                                                        + lstm.newWorkspace(batch, arena)
                                                                .describePath()
                                                        + " ("
                                                        + lstm.kernels().name()
                                                        + " kernels)");
                                    });
                }
            }
        }
        return 0;
    }

    /**
     * The lane layout the kernels would run {@code plan} in, under the work cap of the kernels'
     * options ({@code fdht.laneMaxWaste}), or why none.
     */
    private static String laneLine(ContractionPlan plan) {
        int lanes = KernelProvider.kernels().lanes();
        double cap = KernelProvider.options().laneMaxWaste();
        if (lanes == 1) return "lane layout: none (scalar kernels)";
        return "lane layout: "
                + LanePlan.describe(plan, lanes, cap)
                        .orElse(
                                String.format(
                                        "none (row-major plan: its lane groups would do %.2fx its"
                                                + " multiply-adds, over the %.1fx cap)",
                                        LanePlan.workRatio(plan, lanes), cap));
    }
}
