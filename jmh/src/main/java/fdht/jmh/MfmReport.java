package fdht.jmh;

import static fdht.jmh.ReportTable.fmt;

import fdht.jmh.ReportTable.Row;
import java.util.List;

/**
 * The report's section on the bundled MFM-40 model: its frame-step ({@code MfmBenchmark.step})
 * against its physical limit at each batch, a whole clip through the model API ({@code
 * MfmBenchmark.clip}) against PyTorch's dense {@code nn.LSTM(4096, 128)} with a linear head over
 * the same clips ({@code tools/torch_mfm_lstm.py}, one thread), and bulk scoring ({@code
 * BulkScoreBenchmark.score}) per clip on one and two threads; and its targets (issue 23: the step
 * within 2.0x its limit at batch 1, within 1.4x at batch 16). Stateless.
 */
final class MfmReport {
    /** The PyTorch peer's result name ({@code tools/torch_mfm_lstm.py} writes it). */
    static final String TORCH = "TorchMfmLstm.clip";

    static final String STEP = "MfmBenchmark.step", CLIP = "MfmBenchmark.clip";
    static final String BULK = "BulkScoreBenchmark.score";

    private MfmReport() {}

    /** The section, or nothing when the run has no MFM-40 result. */
    static void section(List<Row> rows, ReportTable.Limits lim, StringBuilder sb) {
        boolean any =
                rows.stream()
                        .anyMatch(
                                r ->
                                        r.name().equals(STEP)
                                                || r.name().equals(CLIP)
                                                || r.name().equals(BULK));
        if (!any) return;
        sb.append("## The bundled MFM-40 model (FDHT rank 4, N_x 4,096, H 128, 40 classes)\n\n");
        sb.append(
                "One thread, us per frame. Limit: the step plan's FLOPs at the FMA peak plus the"
                        + " frame at read bandwidth. Clip: an 8-frame clip through the model API"
                        + " (`Predictor.logits`, head included) per frame. PyTorch: dense"
                        + " `nn.LSTM(4096, 128)` + `Linear(128, 40)` over the same clips"
                        + " (`tools/torch_mfm_lstm.py`, one thread) per frame, and its time over the"
                        + " clip row's.\n\n");
        sb.append(
                "| batch | step | limit | step / limit | clip (model API) | PyTorch | PyTorch / clip |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (int b : new int[] {1, 16, 64}) {
            Row step = ReportTable.find(rows, STEP, b),
                    clip = ReportTable.find(rows, CLIP, b),
                    torch = ReportTable.find(rows, TORCH, b);
            if (step == null && clip == null && torch == null) continue;
            double limit =
                    step == null
                            ? Double.NaN
                            : Costs.of(step).limitMicros(lim.peakGflops(), lim.readGBs()) / b;
            double s = step == null ? Double.NaN : ReportTable.perFrame(step),
                    c = clip == null ? Double.NaN : ReportTable.perFrame(clip),
                    t = torch == null ? Double.NaN : ReportTable.perFrame(torch);
            sb.append(
                    String.format(
                            "| %d | %s | %s | %s | %s | %s | %s |%n",
                            b,
                            fmt(s),
                            fmt(limit),
                            Double.isNaN(s / limit) ? "" : String.format("%.2fx", s / limit),
                            fmt(c),
                            torch == null ? "not run" : fmt(t),
                            Double.isNaN(t / c) ? "" : String.format("%.1fx", t / c)));
        }
        Row one = find(rows, BULK, 1), two = find(rows, BULK, 2);
        if (one != null || two != null) {
            sb.append(
                    String.format(
                            "%nBulk scoring (`Model.score`, %d clips of 8 frames in native memory,"
                                    + " logits into a segment), us per clip: one thread %s, two"
                                    + " threads %s%s.%n",
                            BulkScoreBenchmark.CLIPS,
                            one == null ? "n/a" : fmt(perClip(one)),
                            two == null ? "n/a" : fmt(perClip(two)),
                            one != null && two != null
                                    ? String.format(" (%.2fx)", perClip(one) / perClip(two))
                                    : ""));
        }
        sb.append('\n');
    }

    /** The targets' rows, for the report's table of targets. */
    static void targets(List<Row> rows, ReportTable.Limits lim, StringBuilder sb) {
        double[] within = {2.0, 1.4};
        int[] batches = {1, 16};
        for (int i = 0; i < batches.length; i++) {
            Row step = ReportTable.find(rows, STEP, batches[i]);
            if (step == null) continue;
            double limit = Costs.of(step).limitMicros(lim.peakGflops(), lim.readGBs());
            double x = step.micros() / limit;
            sb.append(
                    String.format(
                            "| the bundled MFM-40 model's frame-step, batch %d, one thread, within %.1fx of its physical limit | %s |%n",
                            batches[i],
                            within[i],
                            Double.isNaN(x)
                                    ? fmt(step.micros())
                                            + " us; no FMA peak or read bandwidth in this run, so"
                                            + " no limit | (not judged)"
                                    : String.format(
                                            "%s us; limit %s us: %.2fx the limit | %s",
                                            fmt(step.micros()),
                                            fmt(limit),
                                            x,
                                            x <= within[i] ? "met" : "missed")));
        }
    }

    private static Row find(List<Row> rows, String name, int threads) {
        for (Row r : rows) if (r.name().equals(name) && r.param("threads", 1) == threads) return r;
        return null;
    }

    /** Microseconds per clip of a bulk-scoring operation. */
    static double perClip(Row r) {
        return r.micros() / BulkScoreBenchmark.CLIPS;
    }
}
