package fdht.layout;

import fdht.layout.banks.LaneBanks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link CompiledPlan} run in the lane layout, the CPU's mirror of the accelerator's banks
 * (DESIGN.md section 3), with the lanes taken from row axes of the stages: the batch when the plan
 * has one, else axes of the stage. Each stage {@code s} has a lane group {@code G_s} of row axes;
 * its input is held as {@code [chunk][rest][lane]} with {@code chunk*lanes + lane} the flattened
 * index over {@code G_s} and {@code rest} the other axes in the stage's input order. Every element
 * of a stage's reduced view is then one contiguous vector, so the stage is one {@code
 * contractLanes} call over the {@link #step reduced step} (the chunks are its first row axis), and
 * every FMA takes one vector load. A group whose extent is not a multiple of {@code lanes} is
 * padded to whole chunks: the padding lanes compute values nobody reads (lanes never mix).
 *
 * <p>Consecutive stages keep their group while they can: a stage's output is the next stage's input
 * in the same layout. Where a group is no longer made of row axes, the next stage's group is
 * disjoint from it and the data moves by whole {@code lanes x lanes} blocks ({@link
 * #transposeSource}, {@link #transposeDestination}): one packing pass, chosen over a shuffle in the
 * writer's store pattern because the writer holds only 3 rows x 8 columns of vectors, not the
 * {@code lanes x lanes} block a transpose needs. The groups are chosen to move as few floats as
 * possible, padding counted as the multiply-adds it wastes. The first stage's group must be the
 * input's leading axes, so the input enters by transposing {@code lanes} rows of {@link
 * #entryRowFloats} floats at a time; the result leaves by {@link #resultSource}.
 *
 * <p>Costs its tables: an int per vector of the intermediates it transposes, and the reduced steps'
 * address tables (fewer than the plan's). Immutable and thread-safe.
 */
public final class LanePlan {
    /** Subsets of a stage's row axes considered for its lane group. */
    private static final int MAX_GROUP_AXES = 3;

    /** Multiply-adds one float moved by a block transpose costs, as measured (LSTM-UCF, Zen 5). */
    private static final long TRANSPOSE_COST = 10;

    /**
     * No lane layout by default when its work, padding and transposes included, exceeds the plan's
     * own multiply-adds this many times: small plans whose axes fill few lanes run better row by
     * row (measured: docs/PERFORMANCE.md, "Plans without a lane layout").
     */
    public static final double MAX_WASTE = 1.5;

    /**
     * The work of the groups {@link #of} would choose, padding and transposes counted as
     * multiply-adds, over the plan's own multiply-adds, whatever it is ({@code >= 1}).
     */
    public static double workRatio(ContractionPlan plan, int lanes) {
        double[] r = new double[1];
        chooseGroups(plan, lanes, r, Double.POSITIVE_INFINITY);
        return r[0];
    }

    private final CompiledPlan plan;
    private final int lanes;
    private final List<List<Axis>> groups;
    private final CompiledPlan.Step[] steps;
    private final int[][] transposeSource, transposeDestination;
    private final long entryRowFloats;
    private final int[] resultSource;
    private final boolean resultInVectors;

    private LanePlan(CompiledPlan plan, int lanes, List<List<Axis>> groups) {
        this.plan = plan;
        this.lanes = lanes;
        this.groups = List.copyOf(groups);
        int n = plan.stageCount();
        steps = new CompiledPlan.Step[n];
        transposeSource = new int[n][];
        transposeDestination = new int[n][];
        for (int s = 0; s < n; s++) {
            Stage st = plan.step(s).stage();
            List<Axis> g = groups.get(s);
            steps[s] = reduce(plan.step(s), g);
            if (s > 0 && !groups.get(s - 1).equals(g)) {
                int[][] t =
                        transposeTables(
                                withoutUnitBatch(st.input()),
                                groups.get(s - 1),
                                g,
                                paddedInputFloats(s));
                transposeSource[s] = t[0];
                transposeDestination[s] = t[1];
            }
        }
        List<Axis> in0 = withoutUnitBatch(plan.step(0).stage().input());
        entryRowFloats = Stage.product(in0) / Stage.product(groups.getFirst());
        Stage last = plan.step(n - 1).stage();
        resultSource = resultTable(last, groups.getLast());
        boolean runs = resultSource.length % lanes == 0;
        for (int e = 0; e + lanes <= resultSource.length && runs; e += lanes) {
            for (int l = 0; l < lanes; l++) runs &= resultSource[e + l] == resultSource[e] + l;
        }
        resultInVectors = runs;
    }

    /**
     * The plan run in the lane layout, or empty when its work exceeds {@link #MAX_WASTE} times the
     * plan's multiply-adds.
     */
    public static Optional<LanePlan> of(CompiledPlan plan, int lanes) {
        return of(plan, lanes, MAX_WASTE);
    }

    /**
     * The plan run in the lane layout, or empty when its work, padding and transposes included,
     * exceeds {@code maxWaste} times the plan's multiply-adds. Every plan has one with {@code
     * maxWaste} infinite (a stage with no row axis larger than 1 takes the empty group: one lane of
     * each vector).
     */
    public static Optional<LanePlan> of(CompiledPlan plan, int lanes, double maxWaste) {
        if (lanes < 1) throw new IllegalArgumentException("lanes " + lanes + " must be >= 1");
        if (!(maxWaste >= 1))
            throw new IllegalArgumentException("maxWaste " + maxWaste + " must be >= 1");
        List<List<Axis>> groups = chooseGroups(plan.plan(), lanes, new double[1], maxWaste);
        return groups == null ? Optional.empty() : Optional.of(new LanePlan(plan, lanes, groups));
    }

    public CompiledPlan plan() {
        return plan;
    }

    public int lanes() {
        return lanes;
    }

    /** The lane group of stage {@code s}, in the stage's input order. */
    public List<Axis> group(int s) {
        return groups.get(s);
    }

    /**
     * Stage {@code s} in the lane layout: a step of {@code p() = P / lanes} rows (the chunks of the
     * group times the other row axes), the same contracted offsets and factor, its tables counting
     * lane-layout elements ({@code lanes} floats each). Run it as {@code contractLanes(step, ...,
     * lanes, 1)}.
     */
    public CompiledPlan.Step step(int s) {
        return steps[s];
    }

    /**
     * For a stage whose group differs from the previous stage's, the float offsets of the source
     * vectors of every {@code lanes x lanes} block ({@code Kernels#transposeBlocks}), in the
     * previous layout; null when the stage keeps the previous group. Internal: never write it.
     */
    public int[] transposeSource(int s) {
        return transposeSource[s];
    }

    /** The destination vectors matching {@link #transposeSource}, in stage {@code s}'s layout. */
    public int[] transposeDestination(int s) {
        return transposeDestination[s];
    }

    /** Floats of one row of the first stage's group: the input is {@code [g][row]}, g outermost. */
    public long entryRowFloats() {
        return entryRowFloats;
    }

    /**
     * Stage {@code s}'s input as the banked memory it is on the CPU: lanes as banks. The block
     * transposes and the exit are built from these mappings; the reduced steps' address tables
     * agree with them element by element (tested).
     */
    public LaneBanks inputBanks(int s) {
        return new LaneBanks(withoutUnitBatch(plan.step(s).stage().input()), groups.get(s), lanes);
    }

    /** True when some stage's group is padded to whole chunks. */
    public boolean padded() {
        for (List<Axis> g : groups) if (Stage.product(g) % lanes != 0) return true;
        return false;
    }

    /**
     * Floats of the lane-layout input: whole chunks of {@code lanes} rows of {@link
     * #entryRowFloats()}, at least the plan's input (more when the first group is padded).
     */
    public long inputFloats() {
        return paddedInputFloats(0);
    }

    /** Floats each of the two work buffers must hold: the largest stage output, padded. */
    public long workFloats() {
        long m = 0;
        for (int s = 0; s < steps.length; s++) m = Math.max(m, paddedOutputFloats(s));
        return m;
    }

    /**
     * For every result element {@code e} (row-major {@code [i_1..i_d]}), its float index in the
     * last stage's lane-layout output.
     */
    public int resultSourceAt(int e) {
        return resultSource[e];
    }

    public int resultSize() {
        return resultSource.length;
    }

    /**
     * True when the result's elements come in runs of {@code lanes} consecutive floats, so the
     * result leaves by whole vectors.
     */
    public boolean resultInVectors() {
        return resultInVectors;
    }

    /**
     * Floats the buffer the block transposes write must hold (0 when there are none): the largest
     * transposed stage input, padded, plus one vector the padding lanes' rows are dumped in.
     */
    public long transposeFloats() {
        long m = 0;
        for (int s = 0; s < steps.length; s++)
            if (transposeSource[s] != null) m = Math.max(m, paddedInputFloats(s) + lanes);
        return m;
    }

    /** Floats the last stage writes, padded. */
    public long lastOutputFloats() {
        return paddedOutputFloats(steps.length - 1);
    }

    private long paddedInputFloats(int s) {
        return steps[s].inputSize() * lanes;
    }

    private long paddedOutputFloats(int s) {
        return (long) steps[s].p() * steps[s].q() * lanes;
    }

    private int chunks(List<Axis> group) {
        return (int) ((Stage.product(group) + lanes - 1) / lanes);
    }

    @Override
    public String toString() {
        return describe(groups, lanes);
    }

    /**
     * The lane groups {@link #of} would choose for {@code plan} at {@code lanes} lanes, as {@link
     * #toString} writes them ("lanes 16 from rows: 1 (j1 j2), ..."), without compiling it; empty
     * when it has no lane layout.
     */
    public static Optional<String> describe(ContractionPlan plan, int lanes) {
        return describe(plan, lanes, MAX_WASTE);
    }

    /**
     * As {@link #describe(ContractionPlan, int)}, with the work cap {@code maxWaste} instead of
     * {@link #MAX_WASTE} (what {@code fdht.laneMaxWaste} sets for the kernels).
     */
    public static Optional<String> describe(ContractionPlan plan, int lanes, double maxWaste) {
        List<List<Axis>> g = chooseGroups(plan, lanes, new double[1], maxWaste);
        return g == null ? Optional.empty() : Optional.of(describe(g, lanes));
    }

    private static String describe(List<List<Axis>> groups, int lanes) {
        StringBuilder b = new StringBuilder("lanes " + lanes + " from rows:");
        for (int s = 0; s < groups.size(); s++) {
            b.append(s == 0 ? " " : ", ").append(s + 1).append(' ');
            b.append(names(groups.get(s)));
            if (Stage.product(groups.get(s)) % lanes != 0) b.append(" (padded)");
            if (s > 0 && !groups.get(s - 1).equals(groups.get(s))) b.append(" (transposed)");
        }
        return b.toString();
    }

    private static String names(List<Axis> axes) {
        return "(" + String.join(" ", axes.stream().map(Axis::name).toList()) + ")";
    }

    // ---- choosing the groups: least work, padding and transposes counted --------------------

    /**
     * The cheapest groups, their work over the plan's multiply-adds in {@code ratio[0]}; null when
     * that exceeds {@code cap}.
     */
    private static List<List<Axis>> chooseGroups(
            ContractionPlan plan, int lanes, double[] ratio, double cap) {
        int n = plan.stages().size();
        List<List<List<Axis>>> cands = new ArrayList<>();
        for (int s = 0; s < n; s++) cands.add(candidates(plan.stages().get(s), s == 0));
        // cost[s][k]: multiply-adds (padding included) and transposed floats up to stage s with
        // candidate k at stage s; from[s][k]: the candidate at stage s-1 it came from
        long[][] cost = new long[n][];
        int[][] from = new int[n][];
        for (int s = 0; s < n; s++) {
            Stage st = plan.stages().get(s);
            List<List<Axis>> cs = cands.get(s);
            cost[s] = new long[cs.size()];
            from[s] = new int[cs.size()];
            for (int k = 0; k < cs.size(); k++) {
                long g = Stage.product(cs.get(k)), padded = (g + lanes - 1) / lanes * lanes;
                long work = st.macs() / g * padded;
                if (s == 0) {
                    cost[s][k] = work;
                    continue;
                }
                long best = Long.MAX_VALUE;
                int arg = -1;
                List<List<Axis>> prev = cands.get(s - 1);
                for (int j = 0; j < prev.size(); j++) {
                    if (cost[s - 1][j] == Long.MAX_VALUE) continue;
                    long move;
                    if (prev.get(j).equals(cs.get(k))) move = 0;
                    else if (disjoint(prev.get(j), cs.get(k)))
                        move = TRANSPOSE_COST * st.inputSize();
                    else continue;
                    if (cost[s - 1][j] + move < best) {
                        best = cost[s - 1][j] + move;
                        arg = j;
                    }
                }
                cost[s][k] = best == Long.MAX_VALUE ? best : best + work;
                from[s][k] = arg;
            }
        }
        int at = -1;
        for (int k = 0; k < cost[n - 1].length; k++)
            if (cost[n - 1][k] != Long.MAX_VALUE && (at < 0 || cost[n - 1][k] < cost[n - 1][at]))
                at = k;
        if (at >= 0) ratio[0] = (double) cost[n - 1][at] / plan.totalMacs();
        if (at < 0 || cost[n - 1][at] > cap * plan.totalMacs()) return null;
        List<List<Axis>> chosen = new ArrayList<>();
        for (int s = n - 1; s >= 0; s--) {
            chosen.addFirst(cands.get(s).get(at));
            at = from[s][at];
        }
        return chosen;
    }

    /**
     * The empty group and groups of row axes of {@code st} (size > 1, in input order, at most
     * {@link #MAX_GROUP_AXES}); for the first stage only the input's leading axes, so the input
     * enters by transposing whole rows.
     */
    private static List<List<Axis>> candidates(Stage st, boolean first) {
        List<Axis> input = withoutUnitBatch(st.input());
        List<Axis> rows = withoutUnitBatch(st.rows()).stream().filter(a -> a.size() > 1).toList();
        // the empty group: one lane of every chunk used; never cheaper than a real group, and there
        // for stages with no other choice (no row axis larger than 1, a first stage that contracts
        // the input's leading axis)
        List<List<Axis>> out = new ArrayList<>(List.of(List.of()));
        if (first) {
            for (int k = 1; k <= Math.min(MAX_GROUP_AXES, input.size()); k++) {
                List<Axis> g = input.subList(0, k);
                if (rows.containsAll(g)) out.add(List.copyOf(g));
            }
            return out;
        }
        int r = rows.size();
        for (int mask = 1; mask < (1 << r); mask++) {
            if (Integer.bitCount(mask) > MAX_GROUP_AXES) continue;
            List<Axis> g = new ArrayList<>();
            for (int i = 0; i < r; i++) if ((mask & (1 << i)) != 0) g.add(rows.get(i));
            out.add(List.copyOf(g));
        }
        return out;
    }

    private static boolean disjoint(List<Axis> a, List<Axis> b) {
        for (Axis x : a) if (b.contains(x)) return false;
        return true;
    }

    // ---- the layouts ----------------------------------------------------------------------------

    /**
     * A batch axis of size 1 is dropped (a batch of rows is a row axis like any other); the chunks
     * of the group take the place of the first row axis.
     */
    private static List<Axis> withoutUnitBatch(List<Axis> axes) {
        return axes.stream().filter(a -> a.kind() != Axis.Kind.BATCH || a.size() > 1).toList();
    }

    private static List<Axis> without(List<Axis> axes, List<Axis> group) {
        return withoutUnitBatch(axes).stream().filter(a -> !group.contains(a)).toList();
    }

    private CompiledPlan.Step reduce(CompiledPlan.Step step, List<Axis> group) {
        Stage st = step.stage();
        // id 1: never equal to the plan's own batch axis (id 0), which may be in the group
        Axis chunk = new Axis(Axis.Kind.BATCH, 1, chunks(group));
        List<Axis> input = new ArrayList<>(List.of(chunk));
        input.addAll(without(st.input(), group));
        List<Axis> rows = new ArrayList<>(List.of(chunk));
        rows.addAll(without(st.rows(), group));
        Stage reduced =
                new Stage(
                        st.index(),
                        st.op(),
                        st.node(),
                        st.fused(),
                        input,
                        rows,
                        st.contracted(),
                        st.produced());
        return new CompiledPlan.Step(
                reduced,
                Stage.offsets(rows, Stage.strides(input, rows)),
                Stage.offsets(st.contracted(), Stage.strides(input, st.contracted())),
                step.factorOffset());
    }

    /**
     * The writer index (row-major over {@code layout}) of the element with axis values {@code
     * value}.
     */
    private static long element(List<Axis> layout, int[] value) {
        long w = 0;
        for (int i = 0; i < layout.size(); i++) w = w * layout.get(i).size() + value[i];
        return w;
    }

    /** Sets the axes of {@code group} in {@code value} to the multi-index of flat {@code flat}. */
    private static void unflatten(long flat, List<Axis> group, List<Axis> layout, int[] value) {
        for (int k = group.size() - 1; k >= 0; k--) {
            Axis a = group.get(k);
            value[layout.indexOf(a)] = (int) (flat % a.size());
            flat /= a.size();
        }
    }

    /**
     * Block tables moving {@code layout}'s lanes from group {@code from} to group {@code to}. A
     * padding lane of {@code to} reads any real vector (its value is never used); the vector of a
     * padding lane of {@code from} is written to {@code sink}, past the destination's data.
     */
    private int[][] transposeTables(List<Axis> layout, List<Axis> from, List<Axis> to, long sink) {
        List<Axis> common = new ArrayList<>(layout);
        common.removeAll(from);
        common.removeAll(to);
        long aSize = Stage.product(from), bSize = Stage.product(to);
        long aChunks = chunks(from), bChunks = chunks(to);
        long commonSize = Stage.product(common);
        long vectors = aChunks * bChunks * commonSize * lanes;
        if (vectors * lanes > Integer.MAX_VALUE - lanes)
            throw new IllegalArgumentException("intermediate beyond 2^31 floats");
        int[] src = new int[(int) vectors], dst = new int[(int) vectors];
        int[] value = new int[layout.size()];
        LaneBanks a0 = new LaneBanks(layout, from, lanes), b0 = new LaneBanks(layout, to, lanes);
        int at = 0;
        for (long a = 0; a < aChunks; a++) {
            for (long b = 0; b < bChunks; b++) {
                for (long c = 0; c < commonSize; c++) {
                    unflatten(c, common, layout, value);
                    for (int i = 0; i < lanes; i++) {
                        unflatten(a * lanes, from, layout, value);
                        unflatten(
                                b * lanes + i < bSize ? b * lanes + i : b * lanes,
                                to,
                                layout,
                                value);
                        src[at + i] = (int) a0.floatIndex(element(layout, value));
                        if (a * lanes + i < aSize) {
                            unflatten(a * lanes + i, from, layout, value);
                            unflatten(b * lanes, to, layout, value);
                            dst[at + i] = (int) b0.floatIndex(element(layout, value));
                        } else {
                            dst[at + i] = (int) sink;
                        }
                    }
                    at += lanes;
                }
            }
        }
        return new int[][] {src, dst};
    }

    private int[] resultTable(Stage last, List<Axis> group) {
        List<Axis> out = withoutUnitBatch(last.output());
        List<Axis> result = withoutUnitBatch(plan.plan().resultAxes());
        int[] table = new int[(int) Stage.product(result)];
        int[] value = new int[out.size()];
        LaneBanks banks = new LaneBanks(out, group, lanes);
        for (int e = 0; e < table.length; e++) {
            unflatten(e, result, out, value);
            table[e] = (int) banks.floatIndex(element(out, value));
        }
        return table;
    }
}
