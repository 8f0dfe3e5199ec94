package fdht.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds contraction plans. For HT it searches every valid order (a node after its children) by
 * dynamic programming over the set of contracted nodes, at most 2^15 states for d = 8, and returns
 * the one with the fewest MACs (ties: fewer stages, then lower node ids). A step may also fuse a
 * node with a chain of ancestors whose other children are already contracted: the ancestors'
 * transfer tensors are folded into the node's factor (our addition: it removes the narrow transfer
 * GEMMs and never costs more MACs than the stages it replaces). The optimum does not depend on the
 * batch size (every intermediate scales with it). For TT it returns TIE's order, last core first.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class ContractionPlanner {
    private ContractionPlanner() {}

    /**
     * The cheapest (fewest MACs) plan for {@code format} and {@code batch} inputs, fusion allowed.
     */
    public static ContractionPlan plan(HtFormat format, int batch) {
        return planSteps(format, batch, cheapestSteps(format, true));
    }

    /**
     * The cheapest plan that contracts one node per stage (no fusion): the paper's plain stage-wise
     * dataflow.
     */
    public static ContractionPlan planUnfused(HtFormat format, int batch) {
        return planSteps(format, batch, cheapestSteps(format, false));
    }

    /** Each step is {node, number of fused ancestors}. */
    private static List<int[]> cheapestSteps(HtFormat format, boolean fuse) {
        DimensionTree tree = format.tree();
        int n = tree.nodeCount();
        int full = (1 << n) - 1;
        double[] best = new double[1 << n];
        int[] choiceNode = new int[1 << n];
        int[] choiceChain = new int[1 << n];
        Arrays.fill(best, -1);
        solve(format, fuse, 0, full, best, choiceNode, choiceChain);
        List<int[]> steps = new ArrayList<>();
        int mask = 0;
        while (mask != full) {
            int t = choiceNode[mask], h = choiceChain[mask];
            steps.add(new int[] {t, h});
            mask |= chainMask(tree, t, h);
        }
        return steps;
    }

    /** The node t and its h lowest ancestors. */
    private static int chainMask(DimensionTree tree, int t, int h) {
        int m = 1 << t;
        for (int u = t, i = 0; i < h; i++) {
            u = tree.parent(u);
            m |= 1 << u;
        }
        return m;
    }

    private static double solve(
            HtFormat f,
            boolean fuse,
            int mask,
            int full,
            double[] best,
            int[] choiceNode,
            int[] choiceChain) {
        if (mask == full) return 0;
        if (best[mask] >= 0) return best[mask];
        DimensionTree tree = f.tree();
        double size = intermediateSize(f, mask);
        double bestCost = Double.POSITIVE_INFINITY;
        for (int t = 0; t < tree.nodeCount(); t++) {
            if ((mask & (1 << t)) != 0 || !ready(tree, mask, t)) continue;
            // MACs of a stage = input size x Q (P*C is the input size); Q ends in the rank of the
            // top of the chain
            double qBase = tree.isLeaf(t) ? f.rowFactor(t) : 1;
            int u = t, h = 0, chain = 1 << t;
            while (true) {
                // one MAC per stage more breaks ties towards fewer stages
                double cost =
                        size * qBase * f.rank(u)
                                + 1
                                + solve(f, fuse, mask | chain, full, best, choiceNode, choiceChain);
                if (cost < bestCost) {
                    bestCost = cost;
                    choiceNode[mask] = t;
                    choiceChain[mask] = h;
                }
                int parent = tree.parent(u);
                if (!fuse || parent < 0) break;
                int sibling = tree.left(parent) == u ? tree.right(parent) : tree.left(parent);
                if (((mask >> sibling) & 1) == 0) break;
                u = parent;
                h++;
                chain |= 1 << u;
            }
        }
        best[mask] = bestCost;
        return bestCost;
    }

    private static boolean ready(DimensionTree tree, int mask, int t) {
        return tree.isLeaf(t)
                || ((mask >> tree.left(t)) & 1) == 1 && ((mask >> tree.right(t)) & 1) == 1;
    }

    /** Floats of the intermediate (batch 1) once the nodes in {@code mask} are contracted. */
    static double intermediateSize(HtFormat f, int mask) {
        DimensionTree tree = f.tree();
        double s = 1;
        for (int k = 0; k < tree.order(); k++)
            s *= ((mask >> k) & 1) == 1 ? f.rowFactor(k) : f.colFactor(k);
        for (int t = 0; t < tree.nodeCount(); t++) {
            boolean done = ((mask >> t) & 1) == 1;
            int parent = tree.parent(t);
            boolean frontier = done && (parent < 0 || ((mask >> parent) & 1) == 0);
            if (frontier) s *= f.rank(t);
        }
        return s;
    }

    /**
     * The plan that contracts the nodes in the given order. Every node must appear once, after both
     * of its children.
     */
    public static ContractionPlan planInOrder(HtFormat format, int batch, int[] order) {
        if (order.length != format.tree().nodeCount()) {
            throw new IllegalArgumentException(
                    "order "
                            + Arrays.toString(order)
                            + " must list all "
                            + format.tree().nodeCount()
                            + " nodes");
        }
        List<int[]> steps = new ArrayList<>();
        for (int t : order) steps.add(new int[] {t, 0});
        return planSteps(format, batch, steps);
    }

    /** The plan for explicit steps {node, fused ancestors}. */
    private static ContractionPlan planSteps(HtFormat format, int batch, List<int[]> order) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch + " must be at least 1");
        DimensionTree tree = format.tree();
        int d = tree.order();
        List<Axis> current = new ArrayList<>();
        current.add(Axis.batch(batch));
        for (int k = 0; k < d; k++) current.add(Axis.col(k, format.colFactor(k)));
        List<Axis> input = List.copyOf(current);
        List<Stage> stages = new ArrayList<>();
        int mask = 0;
        for (int[] step : order) {
            int t = step[0];
            if (t < 0 || t >= tree.nodeCount())
                throw new IllegalArgumentException(
                        "order names node " + t + ", which does not exist");
            if (((mask >> t) & 1) == 1)
                throw new IllegalArgumentException("order names " + format.nodeName(t) + " twice");
            if (!ready(tree, mask, t))
                throw new IllegalArgumentException(
                        "order contracts " + format.nodeName(t) + " before its children");
            List<Axis> contracted = new ArrayList<>();
            List<Axis> produced = new ArrayList<>();
            Stage.Op op;
            if (tree.isLeaf(t)) {
                op = Stage.Op.LEAF;
                contracted.add(Axis.col(t, format.colFactor(t)));
                produced.add(Axis.row(t, format.rowFactor(t)));
            } else {
                op = Stage.Op.TRANSFER;
                int l = tree.left(t), r = tree.right(t);
                contracted.add(Axis.rank(l, format.rank(l)));
                contracted.add(Axis.rank(r, format.rank(r)));
            }
            List<Integer> fused = new ArrayList<>();
            int top = t;
            mask |= 1 << t;
            for (int i = 0; i < step[1]; i++) {
                int parent = tree.parent(top);
                int sibling = tree.left(parent) == top ? tree.right(parent) : tree.left(parent);
                if (((mask >> sibling) & 1) == 0)
                    throw new IllegalStateException(
                            "cannot fuse "
                                    + format.nodeName(parent)
                                    + " before "
                                    + format.nodeName(sibling));
                contracted.add(Axis.rank(sibling, format.rank(sibling)));
                fused.add(parent);
                top = parent;
                mask |= 1 << parent;
            }
            produced.add(Axis.rank(top, format.rank(top)));
            stages.add(stage(stages.size(), op, t, fused, current, contracted, produced));
            current = stages.getLast().output();
        }
        return new ContractionPlan(
                format, batch, input, stages, resultAxes(batch, format.rowFactors()));
    }

    /**
     * TIE's order for a TT matrix: core d first, each stage contracting (j_k, t_{k+1}) and
     * producing (i_k, t_k).
     */
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
            stages.add(
                    stage(
                            stages.size(),
                            Stage.Op.TT_CORE,
                            k,
                            List.of(),
                            current,
                            contracted,
                            produced));
            current = stages.getLast().output();
        }
        int[] m = new int[d];
        for (int k = 0; k < d; k++) m[k] = format.rowFactor(k);
        return new ContractionPlan(format, batch, input, stages, resultAxes(batch, m));
    }

    private static Stage stage(
            int index,
            Stage.Op op,
            int node,
            List<Integer> fused,
            List<Axis> input,
            List<Axis> contracted,
            List<Axis> produced) {
        List<Axis> rows = new ArrayList<>(input);
        for (Axis c : contracted) {
            if (!rows.remove(c))
                throw new IllegalStateException(
                        "axis " + c + " is not in the intermediate " + input);
        }
        return new Stage(index, op, node, fused, input, rows, contracted, produced);
    }

    private static List<Axis> resultAxes(int batch, int[] m) {
        List<Axis> out = new ArrayList<>();
        out.add(Axis.batch(batch));
        for (int k = 0; k < m.length; k++) out.add(Axis.row(k, m[k]));
        return out;
    }
}
