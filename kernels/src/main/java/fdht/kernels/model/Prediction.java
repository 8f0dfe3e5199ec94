package fdht.kernels.model;

import java.util.List;
import java.util.Optional;

/**
 * What a {@link Predictor} says about one clip: the head's logits, their softmax, the top class and
 * its label, the top-k, and the last layer's output at the last frame ({@code output[-1]}, {@code
 * D*H} floats) when it was asked for ({@link PredictOptions#withHidden}) or the model has no head.
 *
 * <p>Immutable and thread-safe; every accessor that returns an array returns a copy. Costs: the
 * logits ({@code C} floats) and the hidden state when kept; {@link #probabilities} and {@link
 * #top(int)} compute the softmax at each call ({@code C} exponentials in double). A model without a
 * head has no classes: {@link #logits}, {@link #probabilities}, {@link #top()}, {@link #label} and
 * {@link #top(int)} then throw {@link IllegalStateException}.
 */
public final class Prediction {
    private final String model;
    private final float[] logits; // null without a head
    private final float[] lastHidden; // null unless asked
    private final List<String> labels;

    Prediction(String model, float[] logits, float[] lastHidden, List<String> labels) {
        this.model = model;
        this.logits = logits;
        this.lastHidden = lastHidden;
        this.labels = labels;
    }

    private float[] requireLogits() {
        if (logits == null)
            throw new IllegalStateException(
                    "model "
                            + model
                            + " has no head: it gives no classes, only hidden states"
                            + " (Prediction.lastHidden, Predictor.hidden)");
        return logits;
    }

    /**
     * Whether this prediction has logits.
     *
     * @return true when the model has a head
     */
    public boolean hasLogits() {
        return logits != null;
    }

    /**
     * The head's logits.
     *
     * @return {@code C} logits, a copy
     */
    public float[] logits() {
        return requireLogits().clone();
    }

    /**
     * The softmax of the logits, computed stably in double and rounded to float.
     *
     * @return {@code C} probabilities
     */
    public float[] probabilities() {
        return Logits.softmax(requireLogits());
    }

    /**
     * The class.
     *
     * @return the index of the largest logit (ties: the lowest index; NaN ranks last)
     */
    public int top() {
        float[] z = requireLogits();
        return Logits.top(z, 0, z.length);
    }

    /**
     * The class's label.
     *
     * @return the label of {@link #top()}
     */
    public String label() {
        return labels.get(top());
    }

    /**
     * The most probable classes.
     *
     * @param k how many, at least 1 (clamped to the number of classes)
     * @return the {@code k} best, best first (ties by index)
     */
    public List<ScoredLabel> top(int k) {
        return Logits.top(requireLogits(), labels, k);
    }

    /**
     * The last layer's output at the last frame, when it was kept.
     *
     * @return {@code [h_fwd(T-1) ; h_rev(T-1)]}, {@code D*H} floats, a copy; or empty
     */
    public Optional<float[]> lastHidden() {
        return lastHidden == null ? Optional.empty() : Optional.of(lastHidden.clone());
    }

    @Override
    public String toString() {
        if (logits == null)
            return "Prediction[no head; last hidden state of " + lastHidden.length + " values]";
        return "Prediction[" + top(Math.min(3, logits.length)) + "]";
    }
}
