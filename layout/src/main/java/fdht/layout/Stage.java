package fdht.layout;

import java.util.ArrayList;
import java.util.List;

/**
 * One stage of a contraction plan: a small GEMM over a permuted view of the intermediate.
 *
 * <p>The stage reads its input, laid out row-major in the order {@link #input()}, through the view
 * {@code rows ++ contracted} (the permutation: the contracted axes moved innermost), and writes
 * {@code out[p][q] = sum_c in[p][c] * F[c][q]} row-major in the order {@code rows ++ produced}.
 * {@code F} is the node's factor packed as {@code C x Q}. The rows keep their input order, so the
 * next stage's view of this output is again a permutation.
 *
 * <p>Thread safety: Immutable and thread-safe.
 *
 * @param index position in the plan, 0-based
 * @param op what the stage contracts
 * @param node the tree node (HT) or core (TT) it contracts
 * @param fused ancestors of {@code node} contracted in the same stage, lowest first (HT only):
 *     their transfer tensors are folded into the node's factor when the plan is compiled, so one
 *     GEMM does the work of several stages
 * @param input axes of the input buffer, outermost first
 * @param rows axes that pass through (P = product of sizes), in input order
 * @param contracted axes summed over (C), in the order F's rows are packed
 * @param produced axes the stage creates (Q), in the order F's columns are packed
 */
public record Stage(
        int index,
        Op op,
        int node,
        List<Integer> fused,
        List<Axis> input,
        List<Axis> rows,
        List<Axis> contracted,
        List<Axis> produced) {
    public enum Op {
        /**
         * HT leaf: contracts j_k against U_k, produces (i_k, a_k); with fused ancestors also their
         * siblings' ranks, producing the top ancestor's rank.
         */
        LEAF,
        /**
         * HT interior node: contracts (a_l, a_r) against B_t, produces a_t; fused ancestors as for
         * LEAF.
         */
        TRANSFER,
        /** TT core: contracts (j_k, t_k) against G_k, produces (i_k, t_{k-1}). */
        TT_CORE
    }

    public Stage {
        fused = List.copyOf(fused);
        input = List.copyOf(input);
        rows = List.copyOf(rows);
        contracted = List.copyOf(contracted);
        produced = List.copyOf(produced);
    }

    /** Axes of the output buffer: rows then produced. */
    public List<Axis> output() {
        List<Axis> out = new ArrayList<>(rows);
        out.addAll(produced);
        return out;
    }

    /** The reader's view of the input: rows then contracted. */
    public List<Axis> view() {
        List<Axis> v = new ArrayList<>(rows);
        v.addAll(contracted);
        return v;
    }

    public long p() {
        return product(rows);
    }

    public int c() {
        return (int) product(contracted);
    }

    public int q() {
        return (int) product(produced);
    }

    public long inputSize() {
        return product(input);
    }

    public long outputSize() {
        return p() * q();
    }

    public long macs() {
        return p() * c() * q();
    }

    /**
     * True when the view is not the input's own order, i.e. the stage reads a transposed
     * intermediate.
     */
    public boolean transposes() {
        return !stripUnit(view()).equals(stripUnit(input));
    }

    static List<Axis> stripUnit(List<Axis> axes) {
        return axes.stream().filter(a -> a.size() > 1).toList();
    }

    public static long product(List<Axis> axes) {
        long p = 1;
        for (Axis a : axes) p *= a.size();
        return p;
    }

    /**
     * Element strides of each axis of {@code order} in a row-major buffer laid out as {@code
     * order}.
     */
    public static long[] rowMajorStrides(List<Axis> order) {
        long[] s = new long[order.size()];
        long acc = 1;
        for (int i = order.size() - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= order.get(i).size();
        }
        return s;
    }

    /** Stride, in the input buffer, of each axis of {@code axes} (which must all be input axes). */
    public long[] inputStrides(List<Axis> axes) {
        return strides(input, axes);
    }

    /**
     * Stride of each axis of {@code axes} in a row-major buffer laid out in the order {@code
     * layout}, which must hold every one of them.
     */
    public static long[] strides(List<Axis> layout, List<Axis> axes) {
        long[] all = rowMajorStrides(layout);
        long[] s = new long[axes.size()];
        for (int i = 0; i < axes.size(); i++) {
            int at = layout.indexOf(axes.get(i));
            if (at < 0)
                throw new IllegalStateException("axis " + axes.get(i) + " is not one of " + layout);
            s[i] = all[at];
        }
        return s;
    }

    /**
     * The offset of every multi-index over {@code axes}, numbered row-major, in a buffer where axis
     * {@code a} has stride {@code strides[a]}: the index walk behind the compiled plan's address
     * tables and the bank boundaries' reader orders. One int per element; the offsets must fit in
     * an int.
     */
    public static int[] offsets(List<Axis> axes, long[] strides) {
        if (strides.length != axes.size())
            throw new IllegalArgumentException(
                    strides.length + " strides for " + axes.size() + " axes");
        long count = product(axes);
        if (count > Integer.MAX_VALUE)
            throw new IllegalArgumentException("axes " + axes + " span more than 2^31 elements");
        int d = axes.size();
        int[] size = new int[d];
        for (int a = 0; a < d; a++) size[a] = axes.get(a).size();
        int[] out = new int[(int) count];
        int[] idx = new int[d];
        long off = 0;
        for (int e = 0; e < out.length; e++) {
            out[e] = (int) off;
            // odometer step: bump the last axis, carry leftwards
            for (int a = d - 1; a >= 0; a--) {
                idx[a]++;
                off += strides[a];
                if (idx[a] < size[a]) break;
                off -= strides[a] * size[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    /**
     * A one-line description such as "U4 (j4 -> i4 a4)" or "U1·B5 (j1 a2 -> i1 a5)" for a fused
     * stage.
     */
    public String describe() {
        String c = String.join(" ", contracted.stream().map(Axis::name).toList());
        String q = String.join(" ", produced.stream().map(Axis::name).toList());
        StringBuilder what =
                new StringBuilder(
                        switch (op) {
                            case LEAF -> "U" + (node + 1);
                            case TRANSFER -> "B" + (node + 1);
                            case TT_CORE -> "G" + (node + 1);
                        });
        for (int u : fused) what.append("·B").append(u + 1);
        return what + " (" + c + " -> " + q + ")";
    }
}
