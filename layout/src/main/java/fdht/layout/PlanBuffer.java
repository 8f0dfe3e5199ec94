package fdht.layout;

/**
 * The buffers a walk of a {@link CompiledPlan} moves between: the caller's input and result, and
 * two work buffers that the stages alternate between (ping-pong), each {@link
 * CompiledPlan#workSize()} elements. A {@link StageOperation} (or {@link StageAdjoint}) maps them
 * to its own storage.
 */
public enum PlanBuffer {
    INPUT,
    PING,
    PONG,
    RESULT
}
