package fdht.accel;

/**
 * The modelled cost of one stage for one frame.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param computeCycles cycles the PE array needs at full operand supply
 * @param stallCycles cycles lost to bank conflicts (reads and writes)
 * @param cycles the stage's cycles: compute plus read stalls, or the write stream if longer
 * @param utilization MACs / (cycles x PEs x lanes)
 */
public record StageCost(
        String stage,
        long macs,
        long computeCycles,
        long stallCycles,
        long cycles,
        double utilization,
        long sramReads,
        long sramWrites,
        long weightReads) {}
