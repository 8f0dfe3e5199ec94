package fdht.kernels.model;

/**
 * One class of a {@link Prediction}'s top-k: its index in the head's output, its label (the model
 * file's class name, or the index as text when the file names none) and its softmax probability.
 * Immutable.
 */
public record ScoredLabel(int index, String label, float probability) {
    @Override
    public String toString() {
        return String.format("%s (%.3f)", label, probability);
    }
}
