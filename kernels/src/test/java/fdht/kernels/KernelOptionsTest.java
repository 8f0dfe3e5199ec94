package fdht.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.LanePlan;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The switches are parsed strictly, once; workspaces take them and their kernels explicitly. */
class KernelOptionsTest {
    private static KernelOptions parse(Map<String, String> props) {
        return KernelOptions.parse(props::get);
    }

    @Test
    void unsetSwitchesAreTheDefaults() {
        assertEquals(KernelOptions.DEFAULTS, parse(Map.of()));
        assertEquals(
                new KernelOptions(256, false, true, Double.POSITIVE_INFINITY),
                parse(
                        Map.of(
                                "fdht.vectorBits", "256",
                                "fdht.rowLanes", " FALSE",
                                "fdht.laneMaxWaste", "Infinity")));
        assertEquals(LanePlan.MAX_WASTE, KernelOptions.DEFAULTS.laneMaxWaste());
    }

    @Test
    void aValueThatIsNotOneOfTheSwitchsWordsIsRefusedNamingTheProperty() {
        String[][] bad = {
            {"fdht.rowLanes", "yes", "expected true or false"},
            {"fdht.laneBatches", "0", "expected true or false"},
            {"fdht.laneMaxWaste", "0.5", "expected a number >= 1"},
            {"fdht.laneMaxWaste", "wide", "expected a number >= 1"},
            {"fdht.laneMaxWaste", "NaN", "expected a number >= 1"},
            {"fdht.vectorBits", "64", "expected 128, 256 or 512"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> parse(Map.of(b[0], b[1])),
                            b[0] + "=" + b[1]);
            assertTrue(e.getMessage().startsWith(b[0] + "=" + b[1] + ": " + b[2]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new KernelOptions(64, true, true, 1.5));
        assertThrows(
                IllegalArgumentException.class, () -> KernelOptions.DEFAULTS.withLaneMaxWaste(0.9));
    }

    @Test
    void theProviderHoldsTheSwitchesTheJvmWasStartedWith() {
        assertEquals(KernelOptions.fromSystemProperties(), KernelProvider.options());
    }

    /** A plan with a row lane layout at 16 lanes (and at 4 and 8). */
    private static CompiledPlan plan(Arena arena) {
        HtFormat f = HtFormat.uniform(new int[] {4, 4, 4}, new int[] {4, 4, 4}, 3);
        return CompiledPlan.compile(
                ContractionPlanner.plan(f, 1), HtMatrix.random(f, 3, arena), arena);
    }

    @Test
    void theWorkspaceChoosesItsPathOnceFromItsKernelsAndOptions() {
        try (Arena arena = Arena.ofConfined()) {
            CompiledPlan cp = plan(arena);
            Kernels scalar = ScalarKernels.INSTANCE;
            assertEquals(
                    ExecutionPath.ROW_MAJOR,
                    new PlanWorkspace(cp, scalar, KernelOptions.DEFAULTS, arena).path());
            Kernels k = KernelProvider.kernels();
            Assumptions.assumeTrue(k.lanes() > 1, "scalar kernels: one path");
            KernelOptions every = KernelOptions.DEFAULTS.withLaneMaxWaste(Double.POSITIVE_INFINITY);
            assertEquals(ExecutionPath.ROW_LANES, new PlanWorkspace(cp, k, every, arena).path());
            assertEquals(
                    ExecutionPath.ROW_MAJOR,
                    new PlanWorkspace(cp, k, every.withRowLanes(false), arena).path());
        }
    }

    @Test
    void theExecutorRefusesKernelsOtherThanTheWorkspaces() {
        Kernels k = KernelProvider.kernels();
        Assumptions.assumeTrue(
                k != ScalarKernels.INSTANCE, "scalar kernels only: no other kernels to mix in");
        try (Arena arena = Arena.ofConfined()) {
            CompiledPlan cp = plan(arena);
            MemorySegment x = Weights.floats(arena, cp.inputSize());
            MemorySegment y = Weights.floats(arena, cp.resultSize());
            PlanWorkspace ws = new PlanWorkspace(cp, k, KernelOptions.DEFAULTS, arena);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> PlanExecutor.apply(cp, x, 0, y, 0, ws, ScalarKernels.INSTANCE));
            assertTrue(
                    e.getMessage()
                            .equals(
                                    "workspace was made for the "
                                            + k.name()
                                            + " kernels but is run with the scalar kernels: make a"
                                            + " PlanWorkspace for these kernels"),
                    e.getMessage());
            PlanExecutor.apply(cp, x, 0, y, 0, ws, k); // its own kernels run
        }
    }
}
