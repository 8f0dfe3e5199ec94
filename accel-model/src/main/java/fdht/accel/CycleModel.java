package fdht.accel;

import fdht.layout.ContractionPlan;
import fdht.layout.Stage;
import fdht.layout.banks.BankedLayout;
import fdht.layout.banks.ConflictReport;
import java.util.ArrayList;
import java.util.List;

/**
 * A cycle-level model of a tensor-decomposed LSTM accelerator executing a contraction plan
 * (our reconstruction of the FDHT accelerator's stage-wise dataflow; TIE runs the same model on
 * its TT plan). Per stage, the PE array takes {@code min(PEs, banks)} operands per cycle from
 * the working memory in the stage's read order (one reader group of the banked layout), each
 * multiplied by {@code lanes} weights held in the PEs, so a stage needs
 * {@code ceil(P C / operands) * ceil(Q / lanes)} cycles; the bank conflicts the layout shows for
 * its reader groups add stall cycles (for every pass over the input), and its outputs stream to
 * the other ping-pong buffer, {@code banks} words per cycle plus write stalls, overlapped with
 * compute. The next frame streams in from DRAM while this one computes. Energy is counted per
 * event from the config's tables, leakage over the frame time; area from per-unit costs.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class CycleModel {
    private CycleModel() {}

    public static Simulation simulate(AcceleratorConfig cfg, Workload workload, ContractionPlan plan) {
        BankedLayout layout = cfg.layout().equals("skewed") ? BankedLayout.skewed(plan, cfg.banks()) : BankedLayout.rowMajor(plan, cfg.banks());
        List<ConflictReport> conflicts = layout.conflicts();
        int operands = Math.min(cfg.pes(), cfg.banks());
        double bankKb = cfg.workBufferKb() / cfg.banks();
        double wordPj = cfg.energySramWord8kbPj() * Math.sqrt(bankKb / 8);
        double weightPj = cfg.energySramWord8kbPj() * Math.sqrt(cfg.weightSramKb() / 8);
        double inputPj = cfg.energySramWord8kbPj() * Math.sqrt(cfg.inputBufferKb() / cfg.banks() / 8);
        List<StageCost> stages = new ArrayList<>();
        long cycles = 0, stalls = 0, macs = 0;
        double sramPj = 0, weightsPj = 0;
        for (Stage s : plan.stages()) {
            long p = s.p(), c = s.c(), q = s.q();
            long passes = (q + cfg.lanes() - 1) / cfg.lanes();
            long compute = (p * c + operands - 1) / operands * passes;
            long readStalls = conflicts.get(s.index()).readStalls() * passes;
            long writes = p * q;
            long writeCycles = (writes + cfg.banks() - 1) / cfg.banks() + conflicts.get(s.index() + 1).writeStalls();
            long stageCycles = Math.max(compute + readStalls, writeCycles);
            long reads = p * c * passes;
            long weightReads = c * q;
            stages.add(new StageCost(s.describe(), s.macs(), compute, readStalls + conflicts.get(s.index() + 1).writeStalls(), stageCycles,
                    (double) s.macs() / ((double) stageCycles * cfg.pes() * cfg.lanes()), reads, writes, weightReads));
            cycles += stageCycles;
            stalls += readStalls + conflicts.get(s.index() + 1).writeStalls();
            macs += s.macs();
            sramPj += reads * (s.index() == 0 ? inputPj : wordPj) + writes * wordPj * cfg.energySramWriteFactor();
            weightsPj += weightReads * weightPj;
        }
        // the result's reshuffle into y order is one more boundary, read by the cell logic
        stalls += conflicts.getLast().readStalls();
        cycles += conflicts.getLast().readStalls();
        double clockHz = cfg.clockMhz() * 1e6;
        long frameWords = plan.inputSize();
        long dramCycles = (long) Math.ceil(frameWords * cfg.bits() / 8.0 / (cfg.dramGbps() * 1e9) * clockHz);
        long frameCycles = Math.max(cycles, dramCycles);
        double seconds = frameCycles / clockHz;
        double fps = 1 / seconds;
        double area = cfg.pes() * cfg.lanes() * cfg.areaMacMm2()
                + (2 * cfg.workBufferKb() + cfg.weightSramKb() + cfg.inputBufferKb()) * cfg.areaSramMm2PerKb() + cfg.areaControlMm2();
        double macPj = macs * cfg.energyMacPj();
        double dramPj = (double) frameWords * cfg.bits() * cfg.energyDramBitPj();
        double leakPj = cfg.leakageMwPerMm2() * area * 1e-3 * seconds * 1e12;
        double energy = macPj + sramPj + weightsPj + dramPj + leakPj;
        double powerMw = energy * 1e-12 / seconds * 1e3;
        return new Simulation(cfg.name(), workload.name(), layout.name(), cfg.pes() * cfg.lanes(), stages, macs, frameCycles, dramCycles, stalls, fps,
                2.0 * workload.denseMacs() * fps / 1e9, 2.0 * macs * fps / 1e9, macPj, sramPj, weightsPj, dramPj, leakPj, area, powerMw,
                cfg.publishedAreaMm2());
    }
}
