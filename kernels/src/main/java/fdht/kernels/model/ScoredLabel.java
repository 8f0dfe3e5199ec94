package fdht.kernels.model;

/**
 * One class of a {@link Prediction}'s top-k: its index in the head's output, its label (the model
 * file's class name, or the index as text when the file names none) and its softmax probability.
 * Immutable.
 *
 * @param index the class's index in the head's output, {@code 0..C-1}
 * @param label the class's label
 * @param probability its softmax probability
 */
public record ScoredLabel(int index, String label, float probability) {
    @Override
    public String toString() {
        return String.format("%s (%.3f)", label, probability);
    }
}
