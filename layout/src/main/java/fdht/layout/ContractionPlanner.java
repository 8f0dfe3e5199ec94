package fdht.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds contraction plans. For HT it searches every valid order (a node after its children)
 * by dynamic programming over the set of contracted nodes, at most 2^15 states for d = 8, and
 * returns the one with the fewest MACs. The optimum does not depend on the batch size (every
 * intermediate scales with it). For TT it returns TIE's order, last core first.
 */
public final class ContractionPlanner {
    private ContractionPlanner() {}

    /** The cheapest (fewest MACs) plan for {@code format} and {@code batch} inputs. Ties go to the lower node id. */
    public static ContractionPlan plan(HtFormat format, int batch) {
        return planInOrder(format, batch, cheapestOrder(format));
    }

    /** The node order with the fewest MACs. */
    public static int[] cheapestOrder(HtFormat format) {
        DimensionTree tree = format.tree();
        int n = tree.nodeCount();
        int full = (1 << n) - 1;
        double[] best = new double[1 << n];
        int[] choice = new int[1 << n];
        Arrays.fill(best, -1);
        solve(format, 0, full, best, choice);
        int[] order = new int[n];
        int mask = 0;
        for (int s = 0; s < n; s++) {
            order[s] = choice[mask];
            mask |= 1 << order[s];
        }
        return order;
    }

    private static double solve(HtFormat f, int mask, int full, double[] best, int[] choice) {
        if (mask == full) return 0;
        if (best[mask] >= 0) return best[mask];
        DimensionTree tree = f.tree();
        double size = intermediateSize(f, mask);
        double bestCost = Double.POSITIVE_INFINITY;
        int bestNode = -1;
        for (int t = 0; t < tree.nodeCount(); t++) {
            if ((mask & (1 << t)) != 0 || !ready(tree, mask, t)) continue;
            // MACs of a stage = input size x Q (P*C is the input size)
            double q = tree.isLeaf(t) ? (double) f.rowFactor(t) * f.rank(t) : f.rank(t);
            double cost = size * q + solve(f, mask | (1 << t), full, best, choice);
            if (cost < bestCost) {
                bestCost = cost;
                bestNode = t;
            }
        }
        best[mask] = bestCost;
        choice[mask] = bestNode;
        return bestCost;
    }

    private static boolean ready(DimensionTree tree, int mask, int t) {
        return tree.isLeaf(t) || ((mask >> tree.left(t)) & 1) == 1 && ((mask >> tree.right(t)) & 1) == 1;
    }

    /** Floats of the intermediate (batch 1) once the nodes in {@code mask} are contracted. */
    static double intermediateSize(HtFormat f, int mask) {
        DimensionTree tree = f.tree();
        double s = 1;
        for (int k = 0; k < tree.order(); k++) s *= ((mask >> k) & 1) == 1 ? f.rowFactor(k) : f.colFactor(k);
        for (int t = 0; t < tree.nodeCount(); t++) {
            boolean done = ((mask >> t) & 1) == 1;
            int parent = tree.parent(t);
            boolean frontier = done && (parent < 0 || ((mask >> parent) & 1) == 0);
            if (frontier) s *= f.rank(t);
        }
        return s;
    }

    /**
     * The plan that contracts the nodes in the given order. Every node must appear once, after
     * both of its children.
     */
    public static ContractionPlan planInOrder(HtFormat format, int batch, int[] order) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        DimensionTree tree = format.tree();
        int d = tree.order();
        if (order.length != tree.nodeCount()) {
            throw new IllegalArgumentException("order " + Arrays.toString(order) + " must list all " + tree.nodeCount() + " nodes");
        }
        List<Axis> current = new ArrayList<>();
        current.add(Axis.batch(batch));
        for (int k = 0; k < d; k++) current.add(Axis.col(k, format.colFactor(k)));
        List<Axis> input = List.copyOf(current);
        List<Stage> stages = new ArrayList<>();
        int mask = 0;
        for (int t : order) {
            if (t < 0 || t >= tree.nodeCount()) throw new IllegalArgumentException("order names node " + t + ", which does not exist");
            if (((mask >> t) & 1) == 1) throw new IllegalArgumentException("order names " + format.nodeName(t) + " twice");
            if (!ready(tree, mask, t)) throw new IllegalArgumentException("order contracts " + format.nodeName(t) + " before its children");
            List<Axis> contracted;
            List<Axis> produced;
            Stage.Op op;
            if (tree.isLeaf(t)) {
                op = Stage.Op.LEAF;
                contracted = List.of(Axis.col(t, format.colFactor(t)));
                produced = List.of(Axis.row(t, format.rowFactor(t)), Axis.rank(t, format.rank(t)));
            } else {
                op = Stage.Op.TRANSFER;
                int l = tree.left(t), r = tree.right(t);
                contracted = List.of(Axis.rank(l, format.rank(l)), Axis.rank(r, format.rank(r)));
                produced = List.of(Axis.rank(t, format.rank(t)));
            }
            stages.add(stage(stages.size(), op, t, current, contracted, produced));
            current = stages.getLast().output();
            mask |= 1 << t;
        }
        return new ContractionPlan(format.toString(), batch, input, stages, resultAxes(batch, format.rowFactors()));
    }

    /** TIE's order for a TT matrix: core d first, each stage contracting (j_k, t_{k+1}) and producing (i_k, t_k). */
    public static ContractionPlan tieOrder(TtFormat format, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        int d = format.order();
        List<Axis> current = new ArrayList<>();
        current.add(Axis.batch(batch));
        for (int k = 0; k < d; k++) current.add(Axis.col(k, format.colFactor(k)));
        List<Axis> input = List.copyOf(current);
        List<Stage> stages = new ArrayList<>();
        for (int k = d - 1; k >= 0; k--) {
            List<Axis> contracted = new ArrayList<>();
            contracted.add(Axis.col(k, format.colFactor(k)));
            if (k + 1 < d) contracted.add(Axis.bond(k + 1, format.bondRank(k + 1)));
            List<Axis> produced = new ArrayList<>();
            produced.add(Axis.row(k, format.rowFactor(k)));
            if (k > 0) produced.add(Axis.bond(k, format.bondRank(k)));
            stages.add(stage(stages.size(), Stage.Op.TT_CORE, k, current, contracted, produced));
            current = stages.getLast().output();
        }
        int[] m = new int[d];
        for (int k = 0; k < d; k++) m[k] = format.rowFactor(k);
        return new ContractionPlan(format.toString(), batch, input, stages, resultAxes(batch, m));
    }

    private static Stage stage(int index, Stage.Op op, int node, List<Axis> input, List<Axis> contracted, List<Axis> produced) {
        List<Axis> rows = new ArrayList<>(input);
        for (Axis c : contracted) {
            if (!rows.remove(c)) throw new IllegalStateException("axis " + c + " is not in the intermediate " + input);
        }
        return new Stage(index, op, node, input, rows, contracted, produced);
    }

    private static List<Axis> resultAxes(int batch, int[] m) {
        List<Axis> out = new ArrayList<>();
        out.add(Axis.batch(batch));
        for (int k = 0; k < m.length; k++) out.add(Axis.row(k, m[k]));
        return out;
    }
}
