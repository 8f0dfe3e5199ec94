package fdht.train.lstm;

import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.TtFormat;
import java.util.SplittableRandom;

/**
 * Random initial weights whose reconstructed {@code W} has a chosen entry variance (DESIGN.md
 * section 6: {@code 1/(N_x + H)}, the fan-in of {@code [x ; h]}), for every format.
 *
 * <p>With independent zero-mean entries, an HT entry of {@code W} is a sum of products, and {@code
 * Var W = prod_k Var U_k * prod_t (r_l r_r Var B_t)}; so transfer tensors get {@code 1/(r_l r_r)}
 * and each of the {@code d} leaves {@code v^(1/d)}. A TT entry sums over the inner bonds: {@code
 * Var W = prod_k Var G_k * prod_{0<k<d} r_k}; core {@code k} gets {@code v^(1/d) / r_{k+1}}.
 * Entries are uniform, each tensor rescaled to exactly its mean square. The variance holds in
 * expectation; {@code InitialisationTest} measures it on reconstructions.
 *
 * <p>Thread safety: stateless.
 */
public final class Initialisation {
    private Initialisation() {}

    /**
     * Node tensors of a structured matrix (layout of {@code PlanFactors.of}) with {@code Var W =
     * variance}.
     */
    public static float[][] nodes(MatrixFormat format, double variance, SplittableRandom rnd) {
        return switch (format) {
            case HtFormat f -> ht(f, variance, rnd);
            case TtFormat f -> tt(f, variance, rnd);
        };
    }

    /**
     * Node tensors of {@code format} (layout of {@code HtMatrix.of}) with {@code Var W = variance}.
     */
    public static float[][] ht(HtFormat format, double variance, SplittableRandom rnd) {
        DimensionTree tree = format.tree();
        double leaf = Math.pow(variance, 1.0 / format.order());
        float[][] nodes = new float[tree.nodeCount()][];
        for (int t = 0; t < tree.nodeCount(); t++) {
            double v =
                    tree.isLeaf(t)
                            ? leaf
                            : 1.0
                                    / ((double) format.rank(tree.left(t))
                                            * format.rank(tree.right(t)));
            nodes[t] = normalised(format.nodeSize(t), v, rnd);
        }
        return nodes;
    }

    /** Cores of {@code format} (layout of {@code TtMatrix.of}) with {@code Var W = variance}. */
    public static float[][] tt(TtFormat format, double variance, SplittableRandom rnd) {
        double each = Math.pow(variance, 1.0 / format.order());
        float[][] cores = new float[format.order()][];
        for (int k = 0; k < cores.length; k++)
            cores[k] = normalised(format.coreSize(k), each / format.bondRank(k + 1), rnd);
        return cores;
    }

    /** {@code n} uniform values of the given variance. */
    public static float[] uniform(int n, double variance, SplittableRandom rnd) {
        double half = Math.sqrt(3 * variance);
        float[] v = new float[n];
        for (int e = 0; e < n; e++) v[e] = (float) ((rnd.nextDouble() * 2 - 1) * half);
        return v;
    }

    /**
     * Uniform values rescaled so that their mean square is exactly {@code variance}: a core's norm
     * is then fixed, which keeps the variance of the reconstructed {@code W} close to its
     * expectation for every seed (a product of a few free random norms is heavy-tailed).
     */
    static float[] normalised(int n, double variance, SplittableRandom rnd) {
        float[] v = uniform(n, variance, rnd);
        double sq = 0;
        for (float x : v) sq += (double) x * x;
        if (sq == 0) return v;
        double f = Math.sqrt(variance * n / sq);
        for (int e = 0; e < n; e++) v[e] = (float) (v[e] * f);
        return v;
    }
}
