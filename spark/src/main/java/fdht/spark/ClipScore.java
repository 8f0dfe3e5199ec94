package fdht.spark;

/**
 * The outcome for one clip: its logits and their argmax (when the model has a head), its final
 * hidden state (when asked for), or why it could not be scored. Immutable.
 */
record ClipScore(float[] logits, int label, float[] hidden, String error) {
    static ClipScore of(float[] logits, float[] hidden) {
        return new ClipScore(logits, logits == null ? -1 : argmax(logits), hidden, null);
    }

    static ClipScore failed(String error) {
        return new ClipScore(null, -1, null, error);
    }

    /** The index of the largest value; the first one on ties. */
    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) best = i;
        }
        return best;
    }
}
