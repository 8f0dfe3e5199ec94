import fdht.kernels.KernelProvider;
import fdht.kernels.Kernels;
import fdht.kernels.LanePlanStages;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.LanePlan;
import fdht.layout.Weights;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The parts of the LSTM-UCF rank-4 batch-1 projection in the lane layout, timed in one JVM,
 * interleaved as in a step (not part of CI): entry transposes, the stages, the exit, each a mean
 * over 20,000 rows, printed for the last three of eight rounds. With {@code --after-lstm N} the JVM
 * first runs N whole LSTM steps: the lead of docs/PERFORMANCE.md (the step is slower than its
 * parts once the LSTM has run). With {@code --pollute heap,confined} the JVM first accesses a heap
 * segment and a confined arena's segment 100,000 times each, as an application embedding fdht may:
 * the JDK's shared segment-access code then carries those types in its profile when the kernels are
 * compiled (docs/PERFORMANCE.md, "Kernels that compile the same in every JVM"). Run as
 * tools/steady_speed.sh runs SteadySpeed, e.g. {@code java --add-modules=jdk.incubator.vector -cp
 * kernels/target/classes:layout/target/classes tools/StepParts.java [--after-lstm 3000] [--pollute
 * heap,confined]}.
 */
public class StepParts {
    public static void main(String[] args) {
        int afterLstm = 0;
        String pollute = "";
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "--after-lstm" -> afterLstm = Integer.parseInt(args[a + 1]);
                case "--pollute" -> pollute = args[a + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        if (pollute.contains("heap")) touch(MemorySegment.ofArray(new float[64]));
        if (pollute.contains("confined")) {
            try (Arena confined = Arena.ofConfined()) {
                touch(confined.allocate(256, 64));
            }
        }
        Arena arena = Arena.ofShared();
        HtFormat f = HtFormat.uniform(new int[] {16, 4, 4, 4}, new int[] {8, 20, 20, 19}, 4);
        HtMatrix ht = HtMatrix.random(f, 2022, arena);
        Kernels k = KernelProvider.kernels();
        if (afterLstm > 0) {
            Lstm lstm = Lstm.fdht(ht, 57_600, new float[1024], arena);
            MemorySegment frame = Weights.floats(arena, 57_600);
            LstmState state = lstm.newState(1, arena);
            LstmWorkspace ws = lstm.newWorkspace(1, arena);
            for (int i = 0; i < afterLstm; i++) lstm.step(frame, 0, 57_600, state, ws);
        }
        CompiledPlan plan = CompiledPlan.compile(ContractionPlanner.plan(f, 1), ht, arena);
        LanePlan lp = LanePlan.of(plan, k.lanes()).orElseThrow(() -> new IllegalStateException("no lane layout: scalar kernels?"));
        LanePlanStages stages = new LanePlanStages(lp, arena);
        MemorySegment x = Weights.floats(arena, plan.inputSize());
        for (long i = 0; i < plan.inputSize(); i++) Weights.set(x, i, (float) Math.sin(i));
        MemorySegment staging = Weights.floats(arena, lp.inputFloats());
        MemorySegment y = Weights.floats(arena, plan.resultSize());
        System.out.println("# " + k.name() + ", " + lp + (afterLstm > 0 ? ", after " + afterLstm + " LSTM steps" : "")
                + (pollute.isEmpty() ? "" : ", polluted: " + pollute));
        for (int round = 0; round < 8; round++) {
            int n = 20_000;
            long enter = 0, walk = 0, exit = 0;
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                stages.enterRow(x, 0, plan.inputSize(), null, 0, 0, staging, k);
                long t1 = System.nanoTime();
                stages.walk(k);
                long t2 = System.nanoTime();
                stages.exit(y, 0);
                long t3 = System.nanoTime();
                enter += t1 - t0;
                walk += t2 - t1;
                exit += t3 - t2;
            }
            if (round >= 5)
                System.out.printf("entry %.2f us, stages %.2f us, exit %.2f us, total %.2f us%n",
                        enter / 1e3 / n, walk / 1e3 / n, exit / 1e3 / n, (enter + walk + exit) / 1e3 / n);
        }
    }

    /** Vector and scalar loads and stores on {@code s}, often enough to be profiled. */
    private static void touch(MemorySegment s) {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += jdk.incubator.vector.FloatVector.fromMemorySegment(species, s, 0, java.nio.ByteOrder.LITTLE_ENDIAN).lane(0);
            jdk.incubator.vector.FloatVector.zero(species).intoMemorySegment(s, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
            sink += s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i & 7);
            s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i & 7, sink);
        }
        if (sink == 42) System.out.println();
    }
}
