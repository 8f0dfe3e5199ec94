package fdht.kernels.model;

/**
 * Which outputs a run computes and hands back: the head's logits {@code [B, C]}, the last layer's
 * output at every frame {@code [B, T, D*H]} (PyTorch's {@code output}), or both. A model without a
 * head has no logits: asking it for them is an {@link IllegalStateException}.
 */
public enum Outputs {
    LOGITS(true, false),
    HIDDEN(false, true),
    BOTH(true, true);
    private final boolean logits, hidden;

    Outputs(boolean logits, boolean hidden) {
        this.logits = logits;
        this.hidden = hidden;
    }

    /** Whether the head's logits are computed. */
    public boolean logits() {
        return logits;
    }

    /** Whether the last layer's output sequence is kept. */
    public boolean hidden() {
        return hidden;
    }

    /** The outputs that include both this one's and {@code other}'s. */
    public Outputs with(Outputs other) {
        boolean l = logits || other.logits, h = hidden || other.hidden;
        return l && h ? BOTH : l ? LOGITS : HIDDEN;
    }
}
