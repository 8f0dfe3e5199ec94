package fdht.jmh;

import fdht.accel.Workload;
import fdht.kernels.DenseReconstruction;
import fdht.kernels.lstm.Lstm;
import fdht.kernels.lstm.LstmState;
import fdht.kernels.lstm.LstmWorkspace;
import fdht.layout.CompiledPlan;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The two workloads of DESIGN.md as the benchmarks run them: 57,600 inputs, 256 hidden, gate rows
 * 16x4x4x4, input factors 8x20x20x18 (LSTM-UCF) or 4x20x20x36 (LSTM-Youtube), the last raised by
 * one to cover {@code [x ; h]} (the accelerator model's {@link Workload}s). Weights are random with
 * fixed seeds: timing does not depend on their values, and every model of one workload and rank
 * (FDHT, dense, ONNX) is built from the same HT tensor.
 */
enum BenchModel {
    UCF(Workload.lstmUcf(), new int[] {8, 20, 20, 18}),
    YOUTUBE(Workload.lstmYoutube(), new int[] {4, 20, 20, 36});

    static final int INPUT = 57_600;
    static final int HIDDEN = 256;
    static final int CLIP_FRAMES = 6;

    /**
     * Stages of the FDHT plan at ranks 4 and 8 (the planner fuses the transfer tensors into the
     * leaf stages).
     */
    static final int PLAN_STAGES = 4;

    final Workload workload;
    private final int[] inputFactors;

    BenchModel(Workload workload, int[] inputFactors) {
        this.workload = workload;
        this.inputFactors = inputFactors;
    }

    /** The JMH parameter value: "ucf" or "youtube". */
    static BenchModel named(String p) {
        return switch (p) {
            case "ucf" -> UCF;
            case "youtube" -> YOUTUBE;
            default ->
                    throw new IllegalArgumentException("model '" + p + "' is not ucf or youtube");
        };
    }

    /** FDHT: one HT matrix over {@code [x ; h ; 0]}. */
    HtFormat ht(int rank) {
        return HtFormat.uniform(
                workload.fdht().matrix().rowFactors(), workload.fdht().matrix().colFactors(), rank);
    }

    /** HT over {@code W_x} only (its columns are exactly the 57,600 inputs). */
    HtFormat htInputOnly(int rank) {
        return HtFormat.uniform(workload.fdht().matrix().rowFactors(), inputFactors, rank);
    }

    /**
     * TT over {@code [x ; h ; 0]} with FDHT's factors (the accelerator comparison's same-format
     * variant; TIE's published TT-LSTM is {@code workload.ttLstm()}).
     */
    TtFormat tt(int rank) {
        return TtFormat.uniform(
                workload.sameFormat().matrix().rowFactors(),
                workload.sameFormat().matrix().colFactors(),
                rank);
    }

    HtMatrix htWeights(int rank, Arena arena) {
        return HtMatrix.random(ht(rank), 2022, arena);
    }

    Lstm fdht(int rank, Arena arena) {
        return Lstm.fdht(htWeights(rank, arena), INPUT, bias(), arena);
    }

    /**
     * {@link #fdht} with its kernels compiled ({@link #warmUp}, 3,000 steps), as the step
     * benchmarks measure it.
     */
    Lstm warmFdht(int rank, Arena arena) {
        Lstm lstm = fdht(rank, arena);
        warmUp(lstm, 3000);
        return lstm;
    }

    Lstm htInput(int rank, Arena arena) {
        MemorySegment wh = Weights.floats(arena, 4L * HIDDEN * HIDDEN);
        SplittableRandom r = new SplittableRandom(5);
        for (long e = 0; e < 4L * HIDDEN * HIDDEN; e++)
            Weights.set(wh, e, (float) ((r.nextDouble() * 2 - 1) / HIDDEN));
        return Lstm.htInput(
                HtMatrix.random(htInputOnly(rank), 2023, arena), wh, INPUT, bias(), arena);
    }

    Lstm tt(int rank, Arena arena) {
        return Lstm.tt(TtMatrix.random(tt(rank), 2024, arena), INPUT, bias(), arena);
    }

    /**
     * The dense {@code 4H x (N_x + H)} matrix the rank-{@code rank} FDHT model encodes (237 MB).
     */
    MemorySegment denseWeights(int rank, Arena arena) {
        return DenseReconstruction.of(htWeights(rank, arena), INPUT + HIDDEN, arena);
    }

    ContractionPlan plan(int rank, int batch) {
        return ContractionPlanner.plan(ht(rank), batch);
    }

    /**
     * The FDHT plan for {@code batch} rows, compiled; fails loudly unless it has {@link
     * #PLAN_STAGES} stages (the stage benchmarks' parameter).
     */
    CompiledPlan stagePlan(int rank, int batch, Arena arena) {
        CompiledPlan plan = CompiledPlan.compile(plan(rank, batch), htWeights(rank, arena), arena);
        if (plan.steps().size() != PLAN_STAGES) {
            throw new IllegalStateException(
                    "the rank-"
                            + rank
                            + " plan has "
                            + plan.steps().size()
                            + " stages; update the stage parameter of HtStageBenchmark and LaneStageBenchmark");
        }
        return plan;
    }

    static float[] bias() {
        float[] b = new float[4 * HIDDEN];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 0.2 - 0.1);
        return b;
    }

    /**
     * One step of {@code lstm} over {@code frames}; returns {@code h[0]} so the step cannot be
     * optimised away.
     */
    static float step(Lstm lstm, MemorySegment frames, LstmState state, LstmWorkspace work) {
        lstm.step(frames, 0, INPUT, state, work);
        return state.h().getAtIndex(ValueLayout.JAVA_FLOAT, 0);
    }

    /**
     * Runs {@code steps} steps at batch 1 so the kernels are compiled before a trial measures: at
     * batch 16 an interpreted step takes over a second, and a fork's warm-up iterations then see
     * too few operations to reach C2 (measured: one of two forks stuck at 2x the time).
     */
    static void warmUp(Lstm lstm, int steps) {
        try (Arena a = Arena.ofConfined()) {
            warmUp(lstm, steps, frames(1, a));
        }
    }

    /** As {@link #warmUp(Lstm, int)}, on {@code frame} (one frame of the model's input size). */
    static void warmUp(Lstm lstm, int steps, MemorySegment frame) {
        try (Arena a = Arena.ofConfined()) {
            var state = lstm.newState(1, a);
            var work = lstm.newWorkspace(1, a);
            for (int i = 0; i < steps; i++) lstm.step(frame, 0, lstm.inputSize(), state, work);
        }
    }

    /**
     * The plan's input for {@code batch} frames: rows of {@code width} = prod n floats, a frame
     * then zeros where h and the padding go.
     */
    static MemorySegment paddedFrames(int batch, int width, Arena arena) {
        MemorySegment x = Weights.floats(arena, (long) batch * width);
        MemorySegment frames = frames(batch, arena);
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(
                    frames,
                    (long) b * INPUT * Float.BYTES,
                    x,
                    (long) b * width * Float.BYTES,
                    (long) INPUT * Float.BYTES);
        }
        return x;
    }

    /** {@code rows} deterministic frames of {@code INPUT} floats, uniform in [-1, 1]. */
    static MemorySegment frames(int rows, Arena arena) {
        MemorySegment s = Weights.floats(arena, (long) rows * INPUT);
        SplittableRandom r = new SplittableRandom(7);
        for (long e = 0; e < (long) rows * INPUT; e++)
            Weights.set(s, e, (float) (r.nextDouble() * 2 - 1));
        return s;
    }
}
