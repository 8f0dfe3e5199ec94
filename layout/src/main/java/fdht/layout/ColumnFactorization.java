package fdht.layout;

/**
 * Chooses column factors {@code n_1..n_d} for a matrix with {@code cols} columns: every tuple whose
 * product covers {@code cols} with at most {@code maxPadding} relative zero-padding, each factor in
 * {@code 2..maxFactor} and the largest at most {@code maxRatio} times the smallest (balanced
 * factors compress better), is planned; the one with the fewest MACs (then the least padding) wins.
 * d = 4, factors up to 32, ratio 3: a few thousand candidates, tens of ms.
 *
 * <p>Thread safety: Stateless: safe to call from any thread.
 */
public final class ColumnFactorization {
    private ColumnFactorization() {}

    /**
     * {@code factors} with the last one raised until their product covers {@code cols}: the
     * published input factorisation of a workload extended to also cover {@code h} (FDHT's {@code
     * [x ; h]} columns). O(d).
     */
    public static int[] extendLast(int[] factors, int cols) {
        if (factors.length < 1) throw new IllegalArgumentException("no factors to extend");
        if (cols < 1) throw new IllegalArgumentException("cols " + cols + " must be at least 1");
        int[] f = factors.clone();
        long rest = 1;
        for (int k = 0; k < f.length - 1; k++) {
            if (f[k] < 1)
                throw new IllegalArgumentException("factor " + f[k] + " must be positive");
            rest *= f[k];
        }
        f[f.length - 1] = (int) Math.max(1, (cols + rest - 1) / rest);
        return f;
    }

    /** The cheapest factors for the given row factors and uniform rank on the balanced tree. */
    public static int[] cheapest(
            int cols,
            int[] rowFactors,
            int rank,
            double maxPadding,
            int maxFactor,
            double maxRatio) {
        int d = rowFactors.length;
        if (cols < 1) throw new IllegalArgumentException("cols " + cols + " must be at least 1");
        if (maxPadding < 0)
            throw new IllegalArgumentException(
                    "maxPadding " + maxPadding + " must be non-negative");
        if (maxFactor < 2)
            throw new IllegalArgumentException("maxFactor " + maxFactor + " must be at least 2");
        long limit = (long) Math.floor(cols * (1 + maxPadding));
        int[] current = new int[d];
        Best best = new Best();
        search(0, 1, cols, limit, maxFactor, maxRatio, rowFactors, rank, current, best);
        if (best.factors == null) {
            throw new IllegalArgumentException(
                    "no "
                            + d
                            + " factors in 2.."
                            + maxFactor
                            + " within a ratio of "
                            + maxRatio
                            + " cover "
                            + cols
                            + " columns with at most "
                            + (maxPadding * 100)
                            + "% padding");
        }
        return best.factors;
    }

    private static final class Best {
        int[] factors;
        long macs = Long.MAX_VALUE;
        long product = Long.MAX_VALUE;
    }

    private static void search(
            int k,
            long product,
            int cols,
            long limit,
            int maxFactor,
            double maxRatio,
            int[] m,
            int rank,
            int[] current,
            Best best) {
        int d = m.length;
        if (k == d - 1) {
            long last = (cols + product - 1) / product;
            if (last < 2 || last > maxFactor || product * last > limit) return;
            current[k] = (int) last;
            int lo = Integer.MAX_VALUE, hi = 0;
            for (int f : current) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
            if (hi > maxRatio * lo) return;
            long macs = ContractionPlanner.plan(HtFormat.uniform(m, current, rank), 1).totalMacs();
            long total = product * last;
            if (macs < best.macs || macs == best.macs && total < best.product) {
                best.macs = macs;
                best.product = total;
                best.factors = current.clone();
            }
            return;
        }
        for (int f = 2; f <= maxFactor; f++) {
            // the remaining d-k-1 factors, each at most maxFactor, must still be able to reach cols
            if (product * f * pow(maxFactor, d - k - 1) < cols) continue;
            if (product * f * pow(2, d - k - 1) > limit) break;
            current[k] = f;
            search(k + 1, product * f, cols, limit, maxFactor, maxRatio, m, rank, current, best);
        }
    }

    /**
     * {@code value} as exactly {@code d} factors, as even as its prime factors allow (largest
     * primes first, each to the currently smallest factor), sorted descending like the paper's
     * 16x4x4x4 for 4H = 1024. Factors may be 1 when {@code value} has fewer prime factors than d.
     */
    public static int[] exact(int value, int d) {
        if (value < 1) throw new IllegalArgumentException("cannot factor " + value);
        if (d < 1) throw new IllegalArgumentException("order " + d + " must be at least 1");
        java.util.List<Integer> primes = new java.util.ArrayList<>();
        int v = value;
        for (int p = 2; (long) p * p <= v; p++) {
            while (v % p == 0) {
                primes.add(p);
                v /= p;
            }
        }
        if (v > 1) primes.add(v);
        primes.sort(java.util.Comparator.reverseOrder());
        int[] f = new int[d];
        java.util.Arrays.fill(f, 1);
        for (int p : primes) {
            int at = 0;
            for (int k = 1; k < d; k++) if (f[k] < f[at]) at = k;
            f[at] *= p;
        }
        java.util.Arrays.sort(f);
        for (int i = 0; i < d / 2; i++) {
            int t = f[i];
            f[i] = f[d - 1 - i];
            f[d - 1 - i] = t;
        }
        return f;
    }

    private static long pow(long b, int e) {
        long p = 1;
        for (int i = 0; i < e; i++) p *= b;
        return p;
    }
}
