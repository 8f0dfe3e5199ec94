package fdht.accel;

import fdht.layout.ContractionPlan;
import fdht.layout.Stage;
import fdht.layout.banks.BankedLayout;
import fdht.layout.banks.Boundary;
import fdht.layout.banks.ConflictReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cycle-level model of a tensor-decomposed LSTM accelerator executing a contraction plan stage by
 * stage (our reconstruction of the FDHT accelerator's dataflow; TIE runs the same model on its TT
 * plan plus, for TT-LSTM, a dense {@code W_h} stage).
 *
 * <p>Per stage {@code out[p][q] = sum_c in[p][c] F[c][q]}: the array of {@code M = PEs x lanes} MAC
 * units takes {@code k} operands per cycle from the working memory in the stage's read order, each
 * operand multiplied by its {@code Q} weights on {@code Q} MAC units, with lanes mapped over {@code
 * P x Q} so {@code k = min(banks, floor(M / Q))} (a stage with {@code Q > M} takes {@code ceil(Q /
 * M)} passes). A stage so needs {@code ceil(P C / k)} cycles per pass and its utilisation is {@code
 * Q k / M}: it degrades with {@code Q mod M}, not with {@code Q mod lanes}. Bank conflicts of the
 * chip's {@link MemoryLayout} add stall cycles; with {@link MemoryLayout#EXTRA_PASS} each
 * transposing intermediate costs one more pass instead. Outputs stream to the other ping-pong
 * buffer, overlapped with compute. The dense stage takes {@code max(MACs / M, weights /
 * dense_weight_words_per_cycle)} cycles: at batch 1 every weight is used once, so the weight-read
 * width sets its speed.
 *
 * <p>Buffers are checked: an intermediate larger than a working buffer spills (written out and read
 * back through DRAM), weights beyond the weight SRAM are streamed from DRAM every frame; both are
 * listed in {@link Simulation#capacityIssues()}. DRAM traffic (the frame's real inputs, spills,
 * streamed weights) is reported beside the on-chip figures and only enters the frame time and
 * energy when {@code dram} is set. Energy per event from the config's tables; leakage and clock
 * power per mm^2 over the frame time; area from the config.
 *
 * <p>Cost: one pass over each boundary for its conflicts (the skewed layout also colours it, {@code
 * O(E log B)}); layouts are cached per plan, bank count and layout. Thread safety: safe to call
 * from any thread (the cache is synchronised).
 */
public final class CycleModel {
    private CycleModel() {}

    private static final Map<String, BankedLayout> LAYOUTS =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, BankedLayout> e) {
                    return size() > 32;
                }
            };

    private static BankedLayout layout(MemoryLayout kind, ContractionPlan plan, int banks) {
        String key = kind + "/" + banks + "/" + plan.format() + "/" + plan.stages();
        synchronized (LAYOUTS) {
            BankedLayout l = LAYOUTS.get(key);
            if (l == null) {
                l = kind.banked(plan, banks);
                LAYOUTS.put(key, l);
            }
            return l;
        }
    }

    /**
     * Operands per cycle and passes of a stage producing {@code q} values per operand on {@code
     * macUnits} MACs fed by {@code banks} banks.
     */
    static long[] mapping(long q, int macUnits, int banks) {
        long passes = (q + macUnits - 1) / macUnits;
        long perPass = (q + passes - 1) / passes;
        long operands = Math.max(1, Math.min(banks, macUnits / perPass));
        return new long[] {operands, passes};
    }

    /**
     * One frame of {@code plan} on {@code cfg}; with {@code recurrentWeights > 0} a dense stage of
     * that many weights ({@code 4H x H}, TT-LSTM's {@code W_h}) follows the plan. The frame's real
     * input ({@code workload.inputSize()} words) is its DRAM traffic; {@code dram} puts DRAM into
     * the frame time and energy.
     */
    public static Simulation simulate(
            AcceleratorConfig cfg,
            Workload workload,
            ContractionPlan plan,
            long recurrentWeights,
            boolean dram) {
        MemoryLayout kind = cfg.layout();
        BankedLayout layout = layout(kind, plan, cfg.banks());
        List<ConflictReport> conflicts = layout.conflicts();
        List<Boundary> boundaries = layout.boundaries();
        int macUnits = cfg.pes() * cfg.lanes();
        int banks = cfg.banks();
        double bytesPerWord = cfg.bits() / 8.0;
        double bankKb = cfg.workBufferKb() / banks;
        double wordPj = sramWordPj(cfg, bankKb);
        double inputPj = sramWordPj(cfg, cfg.inputBufferKb() / banks);
        double weightPj = sramWordPj(cfg, cfg.weightSramKb());
        List<StageCost> stages = new ArrayList<>();
        List<String> issues = new ArrayList<>();
        long cycles = 0, stalls = 0, macs = 0, spillWords = 0;
        double sramPj = 0, weightsPj = 0;
        long workWords = (long) Math.floor(cfg.workBufferKb() * 1024 / bytesPerWord);
        long frameWords = plan.inputSize();
        if (frameWords * bytesPerWord > cfg.inputBufferKb() * 1024) {
            issues.add(
                    String.format(
                            Locale.ROOT,
                            "the frame (%,d words, %.0f KB) does not fit the input buffer (%.0f KB): it cannot be double-buffered",
                            frameWords,
                            frameWords * bytesPerWord / 1024,
                            cfg.inputBufferKb()));
        }
        for (Stage s : plan.stages()) {
            int b = s.index();
            if (kind == MemoryLayout.EXTRA_PASS && boundaries.get(b).transposes()) {
                StageCost pass = transformPass(boundaries.get(b), banks);
                stages.add(pass);
                cycles += pass.cycles();
                sramPj +=
                        pass.sramReads() * (b == 0 ? inputPj : wordPj)
                                + pass.sramWrites() * wordPj * cfg.energySramWriteFactor();
            }
            long p = s.p(), c = s.c(), q = s.q();
            long[] map = mapping(q, macUnits, banks);
            long operands = map[0], passes = map[1];
            long compute = (p * c + operands - 1) / operands * passes;
            long readStalls =
                    kind == MemoryLayout.EXTRA_PASS ? 0 : conflicts.get(b).readStalls() * passes;
            long writeStalls =
                    kind == MemoryLayout.EXTRA_PASS ? 0 : conflicts.get(b + 1).writeStalls();
            long writes = p * q;
            long writeCycles = (writes + banks - 1) / banks + writeStalls;
            long stageCycles = Math.max(compute + readStalls, writeCycles);
            long reads = p * c * passes;
            long weightReads = (long) c * q;
            stages.add(
                    new StageCost(
                            s.describe(),
                            s.macs(),
                            compute,
                            readStalls + writeStalls,
                            stageCycles,
                            (double) s.macs() / ((double) stageCycles * macUnits),
                            reads,
                            writes,
                            weightReads));
            cycles += stageCycles;
            stalls += readStalls + writeStalls;
            macs += s.macs();
            sramPj +=
                    reads * (b == 0 ? inputPj : wordPj)
                            + writes * wordPj * cfg.energySramWriteFactor();
            weightsPj += weightReads * weightPj;
            if (writes > workWords) {
                spillWords += 2 * (writes - workWords);
                issues.add(
                        String.format(
                                Locale.ROOT,
                                "stage %d writes %,d words, more than a working buffer holds (%,d): %,d words spill to DRAM and back",
                                b + 1,
                                writes,
                                workWords,
                                writes - workWords));
            }
        }
        Boundary last = boundaries.getLast();
        if (kind == MemoryLayout.EXTRA_PASS && last.transposes()) {
            StageCost pass = transformPass(last, banks);
            stages.add(pass);
            cycles += pass.cycles();
            sramPj +=
                    pass.sramReads() * wordPj
                            + pass.sramWrites() * wordPj * cfg.energySramWriteFactor();
        } else if (kind != MemoryLayout.EXTRA_PASS) {
            // the result's reshuffle into y order is one more boundary, read by the cell logic
            stalls += conflicts.getLast().readStalls();
            cycles += conflicts.getLast().readStalls();
        }
        long factorWords = plan.stages().stream().mapToLong(s -> (long) s.c() * s.q()).sum();
        long weightWords = factorWords + recurrentWeights;
        if (recurrentWeights > 0) {
            long denseMacs = recurrentWeights;
            long rows = 4L * workload.hidden();
            long bound = (denseMacs + macUnits - 1) / macUnits;
            long read = (long) Math.ceil(recurrentWeights / cfg.denseWeightWordsPerCycle());
            long denseCycles = Math.max(bound, read);
            // W_h's weights are spread over one bank per word read per cycle
            double denseWordPj =
                    sramWordPj(cfg, cfg.weightSramKb() / Math.ceil(cfg.denseWeightWordsPerCycle()));
            stages.add(
                    new StageCost(
                            String.format(
                                    Locale.ROOT,
                                    "dense W_h (%d x %d, %.0f words/cycle)",
                                    rows,
                                    workload.hidden(),
                                    cfg.denseWeightWordsPerCycle()),
                            denseMacs,
                            denseCycles,
                            0,
                            denseCycles,
                            (double) denseMacs / ((double) denseCycles * macUnits),
                            workload.hidden() + rows,
                            rows,
                            recurrentWeights));
            cycles += denseCycles;
            macs += denseMacs;
            // h is read once, the gate pre-activations are read, accumulated and written back
            sramPj +=
                    (workload.hidden() + rows) * wordPj
                            + rows * wordPj * cfg.energySramWriteFactor();
            weightsPj += recurrentWeights * denseWordPj;
        }
        long sramWeightWords = (long) Math.floor(cfg.weightSramKb() * 1024 / bytesPerWord);
        long streamedWeights = Math.max(0, weightWords - sramWeightWords);
        if (streamedWeights > 0) {
            issues.add(
                    String.format(
                            Locale.ROOT,
                            "the weights (%,d words, %.0f KB) do not fit the weight SRAM (%.0f KB): %,d words stream from DRAM every frame",
                            weightWords,
                            weightWords * bytesPerWord / 1024,
                            cfg.weightSramKb(),
                            streamedWeights));
        }
        double clockHz = cfg.clockMhz() * 1e6;
        long dramWords = workload.inputSize() + spillWords + streamedWeights;
        long dramCycles =
                (long) Math.ceil(dramWords * bytesPerWord / (cfg.dramGbps() * 1e9) * clockHz);
        long frameCycles = dram ? Math.max(cycles, dramCycles) : cycles;
        double seconds = frameCycles / clockHz;
        double fps = 1 / seconds;
        double area = cfg.areaMm2();
        double macPj = macs * cfg.energyMacPj();
        double dramPj = dramWords * cfg.bits() * cfg.energyDramBitPj();
        double leakPj = cfg.leakageMwPerMm2() * area * 1e-3 * seconds * 1e12;
        double clockPj = cfg.clockPowerMwPerMm2() * area * 1e-3 * seconds * 1e12;
        double energy = macPj + sramPj + weightsPj + leakPj + clockPj + (dram ? dramPj : 0);
        double powerMw = energy * 1e-12 / seconds * 1e3;
        return new Simulation(
                cfg.name(),
                workload.name(),
                kind.key(),
                macUnits,
                List.copyOf(stages),
                macs,
                frameCycles,
                cycles,
                dramCycles,
                dramWords,
                stalls,
                fps,
                2.0 * workload.denseMacs() * fps / 1e9,
                2.0 * macs * fps / 1e9,
                macPj,
                sramPj,
                weightsPj,
                leakPj,
                clockPj,
                dramPj,
                dram,
                area,
                cfg.modelledAreaMm2(),
                powerMw,
                List.copyOf(issues));
    }

    /**
     * Energy of one 16-bit SRAM word access at a bank of {@code kb}: grows as the square root of
     * the bank size.
     */
    private static double sramWordPj(AcceleratorConfig cfg, double kb) {
        return cfg.energySramWord8kbPj() * Math.sqrt(Math.max(kb, 0.5) / 8);
    }

    /**
     * An explicit transformation pass over one intermediate: read in writer order, written in
     * reader order, {@code banks} words per cycle.
     */
    private static StageCost transformPass(Boundary b, int banks) {
        long n = b.size();
        long c = (n + banks - 1) / banks;
        return new StageCost("transform pass (" + b.label() + ")", 0, c, 0, c, 0, n, n, 0);
    }
}
