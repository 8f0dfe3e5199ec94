package fdht.jmh;

import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.Stage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one operation of each benchmark computes and moves, from its parameters: frames, FLOPs (2
 * per multiply-add of the plan the benchmark runs) and compulsory bytes (inputs, weights and
 * outputs read or written once; intermediates that stay in cache are not counted). The report's
 * GFLOP/s, bandwidth use and physical limits come from here.
 */
record Costs(long frames, double flops, double bytes, double frameBytes) {
    static final Costs NONE = new Costs(0, 0, 0, 0);
    private static final int F = Float.BYTES;
    private static final long DENSE_ROWS = 4L * BenchModel.HIDDEN,
            DENSE_COLS = BenchModel.INPUT + BenchModel.HIDDEN;

    static Costs of(ReportTable.Row r) {
        String n = r.name();
        int batch = r.param("batch", 1), rank = r.param("rank", 4);
        BenchModel model =
                r.params().containsKey("model")
                        ? BenchModel.named(r.params().get("model"))
                        : BenchModel.UCF;
        long frameBytes = (long) batch * BenchModel.INPUT * F;
        long zBytes = (long) batch * DENSE_ROWS * F;
        return switch (n) {
            // TorchEinsumLstm: tools/torch_einsum_lstm.py, the same shapes in PyTorch (its own
            // contraction order; FLOPs counted as fdht's plan)
            case "LstmStepBenchmark.fdhtStep",
                    "ThreadScalingBenchmark.fdhtStep",
                    "LstmVariantsBenchmark.fdhtStepScalar",
                    "HtPlanBenchmark.wholePlan",
                    "TorchEinsumLstm.step",
                    "LaneStepBenchmark.fdhtStep" ->
                    plan(model.plan(rank, batch), batch, frameBytes, zBytes, 1);
            case "LstmStepBenchmark.fdhtClip" ->
                    plan(
                            model.plan(rank, batch),
                            batch,
                            frameBytes,
                            zBytes,
                            BenchModel.CLIP_FRAMES);
            case "LstmVariantsBenchmark.htInputStep" -> {
                Costs ht =
                        plan(
                                ContractionPlanner.plan(model.htInputOnly(rank), batch),
                                batch,
                                frameBytes,
                                zBytes,
                                1);
                long wh = DENSE_ROWS * BenchModel.HIDDEN;
                yield new Costs(batch, ht.flops + 2.0 * wh * batch, ht.bytes + wh * F, frameBytes);
            }
            case "LstmVariantsBenchmark.ttStep" ->
                    plan(
                            ContractionPlanner.tieOrder(model.tt(rank), batch),
                            batch,
                            frameBytes,
                            zBytes,
                            1);
            case "HtStageBenchmark.stage" -> {
                Stage s = model.plan(rank, batch).stages().get(r.param("stage", 0));
                yield new Costs(
                        batch,
                        2.0 * s.macs(),
                        (double) F * (s.inputSize() + s.outputSize() + (long) s.c() * s.q()),
                        0);
            }
            case "LaneStageBenchmark.stage" -> {
                Stage s = model.plan(rank, 1).stages().get(r.param("stage", 0));
                yield new Costs(
                        batch,
                        2.0 * batch * s.macs(),
                        (double) F * batch * (s.inputSize() + s.outputSize())
                                + (double) F * s.c() * s.q(),
                        0);
            }
            case "DensePeersBenchmark.denseStep",
                    "DensePeersBenchmark.denseGemm",
                    "DensePeersBenchmark.ortStep",
                    "DensePeersBenchmark.blasNative",
                    "DensePeersBenchmark.blasJava" ->
                    new Costs(
                            batch,
                            2.0 * DENSE_ROWS * DENSE_COLS * batch,
                            (double) F * DENSE_ROWS * DENSE_COLS + frameBytes + zBytes,
                            frameBytes);
            case "DensePeersBenchmark.ortClip" -> {
                int t = BenchModel.CLIP_FRAMES;
                yield new Costs(
                        (long) batch * t,
                        2.0 * DENSE_ROWS * DENSE_COLS * batch * t,
                        (double) F * DENSE_ROWS * DENSE_COLS + t * ((double) frameBytes + zBytes),
                        (double) frameBytes * t);
            }
            case "DensePeersBenchmark.ortIdentity" -> new Costs(batch, 0, 0, 0);
            case "MfmBenchmark.step", "MfmBenchmark.clip" -> {
                long mfmFrame = (long) batch * MfmModel.INPUT * F,
                        mfmZ = (long) batch * 4 * MfmModel.HIDDEN * F;
                yield plan(
                        mfmPlan(batch),
                        batch,
                        mfmFrame,
                        mfmZ,
                        n.endsWith("clip") ? MfmModel.CLIP_FRAMES : 1);
            }
            // PyTorch's dense nn.LSTM(4096, 128) over 8-frame clips: frames only (its FLOPs are
            // the dense matrix's, not the plan's)
            case "TorchMfmLstm.clip" -> new Costs((long) batch * MfmModel.CLIP_FRAMES, 0, 0, 0);
            case "BulkScoreBenchmark.score" ->
                    new Costs((long) BulkScoreBenchmark.CLIPS * MfmModel.CLIP_FRAMES, 0, 0, 0);
            default -> NONE;
        };
    }

    private static final Map<Integer, ContractionPlan> MFM_PLANS = new ConcurrentHashMap<>();

    /** The bundled MFM-40 model's step plan for {@code batch} rows (read from the model once). */
    private static ContractionPlan mfmPlan(int batch) {
        return MFM_PLANS.computeIfAbsent(batch, MfmModel::plan);
    }

    private static Costs plan(
            ContractionPlan p, int batch, long frameBytes, long zBytes, int steps) {
        long factors = 0;
        for (Stage s : p.stages()) factors += (long) s.c() * s.q();
        return new Costs(
                (long) batch * steps,
                2.0 * p.totalMacs() * steps,
                steps * ((double) frameBytes + zBytes + (double) factors * F),
                (double) frameBytes * steps);
    }

    /**
     * The physical limit of one operation in microseconds: its FLOPs at the FMA peak plus reading
     * its frames at the read bandwidth.
     */
    double limitMicros(double peakGflops, double readGBs) {
        return flops / peakGflops / 1e3 + frameBytes / readGBs / 1e3;
    }
}
