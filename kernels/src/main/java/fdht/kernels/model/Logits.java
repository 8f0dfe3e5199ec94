package fdht.kernels.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What a row of logits says: its arg-max, its softmax and its top-k, the one place these are
 * computed for {@link Prediction} and {@link BulkScores}. A NaN logit (a NaN frame run under {@code
 * PROPAGATE}) ranks below every number; ties go to the lower index. Stateless.
 */
final class Logits {
    private Logits() {}

    /**
     * Whether {@code a} ranks above {@code b} (NaN below everything; equal ranks are not above).
     */
    private static boolean above(float a, float b) {
        return !Float.isNaN(a) && (Float.isNaN(b) || a > b);
    }

    /** The index of the largest of {@code logits[off .. off+classes)}, ties to the lower index. */
    static int top(float[] logits, int off, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) if (above(logits[off + k], logits[off + best])) best = k;
        return best;
    }

    /**
     * {@code exp(z_k - max) / sum_j exp(z_j - max)} in double, rounded to float: no overflow for
     * any finite logits, probabilities that sum to 1 within float rounding.
     */
    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) max = Math.max(max, z);
        double sum = 0;
        double[] e = new double[logits.length];
        for (int k = 0; k < logits.length; k++) sum += e[k] = Math.exp(logits[k] - max);
        float[] p = new float[logits.length];
        for (int k = 0; k < p.length; k++) p[k] = (float) (e[k] / sum);
        return p;
    }

    /** The {@code min(k, C)} best classes, best first (ties to the lower index). */
    static List<ScoredLabel> top(float[] logits, List<String> labels, int k) {
        if (k < 1) throw new IllegalArgumentException("top(k) needs k >= 1, got " + k);
        int n = Math.min(k, logits.length);
        float[] p = softmax(logits);
        boolean[] taken = new boolean[logits.length];
        List<ScoredLabel> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int c = 0; c < logits.length; c++)
                if (!taken[c] && (best < 0 || above(logits[c], logits[best]))) best = c;
            taken[best] = true;
            out.add(new ScoredLabel(best, labels.get(best), p[best]));
        }
        return List.copyOf(out);
    }
}
