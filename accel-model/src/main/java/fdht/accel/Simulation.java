package fdht.accel;

import java.util.List;

/**
 * The modelled cost of one frame (one LSTM step) of a workload on one chip: per stage and in total,
 * energy broken down by where it goes, the DRAM traffic beside it, area, and the derived
 * efficiencies. By default the frame time and energy are on-chip only, as the paper reports them;
 * with {@code dramCounted} the frame time is bound by DRAM too and its energy is included.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param macUnits PEs x lanes
 * @param frameCycles cycles per frame: on-chip cycles, or the DRAM stream if longer when {@code
 *     dramCounted}
 * @param onChipCycles cycles of the stages (compute, stalls, transformation passes, the dense
 *     stage)
 * @param dramCycles cycles to move one frame's DRAM traffic
 * @param dramWords DRAM words per frame: the real inputs (h stays on chip), spills, weights that do
 *     not fit
 * @param denseGops throughput counted as the dense LSTM's operations (2 x dense MACs per frame)
 * @param actualGops throughput counted as the operations actually done
 * @param areaMm2 the area the efficiencies use (published if the config has one, else modelled)
 * @param capacityIssues buffers that are too small, each with the DRAM traffic it costs
 */
public record Simulation(
        String accelerator,
        String workload,
        String layout,
        int macUnits,
        List<StageCost> stages,
        long macsPerFrame,
        long frameCycles,
        long onChipCycles,
        long dramCycles,
        long dramWords,
        long stallCycles,
        double framesPerSecond,
        double denseGops,
        double actualGops,
        double energyMacPj,
        double energySramPj,
        double energyWeightPj,
        double energyLeakagePj,
        double energyClockPj,
        double energyDramPj,
        boolean dramCounted,
        double areaMm2,
        double modelledAreaMm2,
        double powerMw,
        List<String> capacityIssues) {

    /** On-chip energy per frame, pJ. */
    public double energyOnChipPj() {
        return energyMacPj + energySramPj + energyWeightPj + energyLeakagePj + energyClockPj;
    }

    /** Energy per frame as this run counts it: on-chip, plus DRAM when {@code dramCounted}. */
    public double energyPerFramePj() {
        return energyOnChipPj() + (dramCounted ? energyDramPj : 0);
    }

    public double pjPerMac() {
        return energyPerFramePj() / macsPerFrame;
    }

    public double gopsPerMm2() {
        return denseGops / areaMm2;
    }

    public double gopsPerWatt() {
        return denseGops / (powerMw / 1000);
    }

    /** MACs done / MACs the array could have done in the frame's cycles. */
    public double utilization() {
        return (double) macsPerFrame / ((double) frameCycles * macUnits);
    }
}
