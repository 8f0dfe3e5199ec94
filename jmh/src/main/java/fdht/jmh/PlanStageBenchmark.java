package fdht.jmh;

import fdht.kernels.Kernels;
import fdht.layout.CompiledPlan;
import org.openjdk.jmh.annotations.Param;

/**
 * A benchmark of one stage ({@code stage}, one of {@link BenchModel#PLAN_STAGES}) of the FDHT plan
 * of a {@link BenchModel}: the compiled plan, the stage's step and the kernels, which the
 * subclass's trial set-up makes ({@link BenchModel#stagePlan}).
 */
public abstract class PlanStageBenchmark extends ModelBenchmark {
    @Param({"0", "1", "2", "3"})
    public int stage;

    CompiledPlan plan;
    CompiledPlan.Step step;
    Kernels kernels;
}
