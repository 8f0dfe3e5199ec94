package fdht.accel;

import java.util.List;

/**
 * The modelled cost of one frame of a workload on one accelerator: per stage and in total,
 * with energy broken down by where it goes, area, and the derived efficiencies.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param macUnits        PEs x lanes
 * @param frameCycles     cycles per frame: the stages, or the DRAM stream of the next frame if longer (double-buffered input)
 * @param dramCycles      cycles to stream one frame's inputs from DRAM
 * @param energyPj        energy per frame: mac, sram, weights, dram, leakage (pJ)
 * @param publishedAreaMm2OrNaN the accelerator's published area, NaN if none
 * @param denseGops       throughput counted as the dense LSTM's operations (2 x dense MACs per frame)
 * @param actualGops      throughput counted as the operations actually done
 */
public record Simulation(String accelerator, String workload, String layout, int macUnits, List<StageCost> stages, long macsPerFrame, long frameCycles,
                         long dramCycles, long stallCycles, double framesPerSecond, double denseGops, double actualGops,
                         double energyMacPj, double energySramPj, double energyWeightPj, double energyDramPj, double energyLeakagePj,
                         double areaMm2, double powerMw, double publishedAreaMm2OrNaN) {

    public double energyPerFramePj() { return energyMacPj + energySramPj + energyWeightPj + energyDramPj + energyLeakagePj; }
    public double pjPerMac() { return energyPerFramePj() / macsPerFrame; }
    public double gopsPerMm2() { return denseGops / areaMm2; }
    public double gopsPerWatt() { return denseGops / (powerMw / 1000); }
    /** MACs done / MACs the array could have done in the frame's cycles. */
    public double utilization() { return (double) macsPerFrame / ((double) frameCycles * macUnits); }
}
