package fdht.kernels.model;

/**
 * Which outputs a run computes and hands back: the head's logits {@code [B, C]}, the last layer's
 * output at every frame {@code [B, T, D*H]} (PyTorch's {@code output}), or both. A model without a
 * head has no logits: asking it for them is an {@link IllegalStateException}.
 */
public enum Outputs {
    /** The head's logits {@code [B, C]}. */
    LOGITS(true, false),
    /** The last layer's output at every frame {@code [B, T, D*H]}. */
    HIDDEN(false, true),
    /** Both. */
    BOTH(true, true);
    private final boolean logits, hidden;

    Outputs(boolean logits, boolean hidden) {
        this.logits = logits;
        this.hidden = hidden;
    }

    /**
     * Whether the head's logits are computed.
     *
     * @return true for {@link #LOGITS} and {@link #BOTH}
     */
    public boolean logits() {
        return logits;
    }

    /**
     * Whether the last layer's output sequence is kept.
     *
     * @return true for {@link #HIDDEN} and {@link #BOTH}
     */
    public boolean hidden() {
        return hidden;
    }

    /**
     * The outputs that include this one's and another's.
     *
     * @param other the other outputs
     * @return the smallest outputs that hold both
     */
    public Outputs with(Outputs other) {
        boolean l = logits || other.logits, h = hidden || other.hidden;
        return l && h ? BOTH : l ? LOGITS : HIDDEN;
    }
}
