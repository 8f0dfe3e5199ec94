package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fdht.kernels.DenseReconstruction;
import fdht.kernels.KernelProvider;
import fdht.kernels.lstm.GateMatrix;
import fdht.kernels.lstm.Lstm;
import fdht.layout.ContractionPlan;
import fdht.layout.ContractionPlanner;
import fdht.layout.DimensionTree;
import fdht.layout.HtFormat;
import fdht.layout.HtMatrix;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
import fdht.layout.TtMatrix;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * FDHT-LSTM (one HT matrix over [x ; h]), the W_x-only HT variant, a TT over [x ; h] and TT-LSTM as
 * published (TT on W_x, dense W_h) each equal the dense LSTM whose weights are their matrices
 * reconstructed, for h and c at every step. Would fail on a wrong packing of [x ; h ; 0], a wrong
 * gate order or bias, state not carried between steps, or any projection bug.
 *
 * <p>Tolerance, derived rather than picked: each pre-activation differs by at most {@code eps = 2 *
 * 2u * chain * max (|factors| |v|)} (both sides' float rounding; {@code |x| <= 1}, {@code |h| < 1};
 * {@code |factors| |v|} is the structured product run on absolute values), plus the activations'
 * documented error {@code a = 4e-7}. sigmoid is 1/4-Lipschitz, tanh 1-Lipschitz, {@code |c_t| <=
 * t}, so {@code dc_t <= dc_{t-1} + (t-1) eps/4 + 5 eps/4 + 3a} and {@code dh_t <= dc_t + eps/4 +
 * 2a}.
 */
class LstmProperties {
    static final double ACT = 4e-7;

    record Shape(
            int input,
            int hidden,
            int[] rowFactors,
            int[] colFactors,
            int[] ranks,
            int frames,
            int batch,
            long seed) {
        @Override
        public String toString() {
            return "N_x "
                    + input
                    + " H "
                    + hidden
                    + " m "
                    + java.util.Arrays.toString(rowFactors)
                    + " n "
                    + java.util.Arrays.toString(colFactors)
                    + " ranks "
                    + java.util.Arrays.toString(ranks)
                    + " T "
                    + frames
                    + " batch "
                    + batch
                    + " seed "
                    + seed;
        }
    }

    @Provide
    Arbitrary<Shape> shapes() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 300),
                        Arbitraries.integers().between(1, 16),
                        Arbitraries.integers().between(2, 4),
                        Arbitraries.integers().between(1, 6).array(int[].class).ofSize(7),
                        Arbitraries.integers().between(1, 8),
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.longs())
                .as(
                        (input, hidden, d, ranks, frames, batch, seed) -> {
                            SplittableRandom r = new SplittableRandom(seed);
                            return new Shape(
                                    input,
                                    hidden,
                                    split(4 * hidden, d, r),
                                    cover(input + hidden, d, r),
                                    ranks,
                                    frames,
                                    batch,
                                    seed);
                        });
    }

    /** {@code value} as a product of {@code d} factors, prime factors dealt out at random. */
    static int[] split(int value, int d, SplittableRandom r) {
        int[] f = new int[d];
        java.util.Arrays.fill(f, 1);
        int v = value;
        for (int p = 2; v > 1; p++) {
            while (v % p == 0) {
                f[r.nextInt(d)] *= p;
                v /= p;
            }
        }
        return f;
    }

    /**
     * {@code d} factors in 1..8 whose product is at least {@code cols} (the last one raised as
     * needed).
     */
    static int[] cover(int cols, int d, SplittableRandom r) {
        int[] f = new int[d];
        long p = 1;
        for (int k = 0; k < d - 1; k++) {
            f[k] = 1 + r.nextInt(8);
            p *= f[k];
        }
        f[d - 1] = (int) Math.max(1, (cols + p - 1) / p);
        return f;
    }

    @Property(tries = 60)
    void fdhtLstmEqualsTheDenseLstmItEncodes(@ForAll("shapes") Shape s) {
        try (Arena arena = Arena.ofConfined()) {
            DimensionTree tree = DimensionTree.balanced(s.rowFactors().length);
            HtFormat f =
                    new HtFormat(
                            s.rowFactors(),
                            s.colFactors(),
                            tree,
                            Formats.cappedRanks(s.rowFactors(), s.colFactors(), tree, s.ranks()));
            HtMatrix ht = HtMatrix.random(f, s.seed(), arena);
            float[] bias = Numerics.random(4 * s.hidden(), s.seed() + 2, 0.5);
            Lstm fdht = Lstm.fdht(ht, s.input(), bias, arena);
            MemorySegment w = DenseReconstruction.of(ht, s.input() + s.hidden(), arena);
            Lstm dense = Lstm.dense(w, s.input(), s.hidden(), bias, arena);
            float[] v = ones(f.cols(), s.input() + s.hidden());
            var plan = ContractionPlanner.plan(f, 1);
            double eps =
                    epsilon(
                            max(Numerics.absBound(plan, ht, v, arena)),
                            Numerics.chain(plan, f.cols()));
            compare(fdht, dense, s, eps, arena);
        }
    }

    @Property(tries = 40)
    void htInputLstmEqualsTheDenseLstmItEncodes(@ForAll("shapes") Shape s) {
        xOnlyLstmEqualsTheDenseLstmItEncodes(s, false);
    }

    @Property(tries = 40)
    void ttLstmAsPublishedEqualsTheDenseLstmItEncodes(@ForAll("shapes") Shape s) {
        xOnlyLstmEqualsTheDenseLstmItEncodes(s, true);
    }

    /**
     * A structured {@code W_x} (HT, or TT in TIE's order: TT-LSTM as published) over {@code [x ;
     * 0]} beside a dense {@code W_h} equals the dense LSTM of {@code [W_x W_h]}; the bound adds
     * {@code W_h}'s largest absolute row sum to the structured part's.
     */
    private static void xOnlyLstmEqualsTheDenseLstmItEncodes(Shape s, boolean tt) {
        try (Arena arena = Arena.ofConfined()) {
            int d = s.rowFactors().length;
            int[] n = cover(s.input(), d, new SplittableRandom(s.seed() + 5));
            PlanFactors wx;
            ContractionPlan plan;
            double bound;
            if (tt) {
                TtFormat f = new TtFormat(s.rowFactors(), n, bonds(s));
                TtMatrix m = TtMatrix.random(f, s.seed(), arena);
                wx = m;
                plan = ContractionPlanner.tieOrder(f, 1);
                bound = max(ttAbsBound(plan, m, ones(f.cols(), s.input()), arena));
            } else {
                DimensionTree tree = DimensionTree.balanced(d);
                HtFormat f =
                        new HtFormat(
                                s.rowFactors(),
                                n,
                                tree,
                                Formats.cappedRanks(s.rowFactors(), n, tree, s.ranks()));
                HtMatrix m = HtMatrix.random(f, s.seed(), arena);
                wx = m;
                plan = ContractionPlanner.plan(f, 1);
                bound = max(Numerics.absBound(plan, m, ones(f.cols(), s.input()), arena));
            }
            int fourH = 4 * s.hidden();
            float[] wh =
                    Numerics.random(fourH * s.hidden(), s.seed() + 3, 1.0 / Math.sqrt(s.hidden()));
            float[] bias = Numerics.random(fourH, s.seed() + 2, 0.5);
            MemorySegment whs = Weights.copyOf(arena, wh);
            Lstm half =
                    switch (wx) {
                        case TtMatrix m -> Lstm.ttInput(m, whs, s.input(), bias, arena);
                        case HtMatrix m -> Lstm.htInput(m, whs, s.input(), bias, arena);
                        default -> throw new IllegalStateException(wx.toString());
                    };
            MemorySegment wxDense =
                    switch (wx) {
                        case TtMatrix m -> DenseReconstruction.of(m, s.input(), arena);
                        case HtMatrix m -> DenseReconstruction.of(m, s.input(), arena);
                        default -> throw new IllegalStateException(wx.toString());
                    };
            MemorySegment w = GateMatrix.join(wxDense, whs, s.input(), s.hidden(), arena).weights();
            Lstm dense = Lstm.dense(w, s.input(), s.hidden(), bias, arena);
            double rowSum = 0;
            for (int i = 0; i < fourH; i++) {
                double sum = 0;
                for (int j = 0; j < s.hidden(); j++) sum += Math.abs(wh[i * s.hidden() + j]);
                rowSum = Math.max(rowSum, sum);
            }
            compare(
                    half,
                    dense,
                    s,
                    epsilon(
                            bound + rowSum,
                            Numerics.chain(plan, s.input() + s.hidden()) + s.hidden()),
                    arena);
        }
    }

    /** The TT bonds of a shape: 1, its ranks 1..d-1, 1. */
    private static int[] bonds(Shape s) {
        int d = s.rowFactors().length;
        int[] r = new int[d + 1];
        r[0] = 1;
        r[d] = 1;
        for (int k = 1; k < d; k++) r[k] = s.ranks()[k];
        return r;
    }

    /** {@code |W| v} of a TT matrix: its plan run on the absolute values of its cores. */
    private static float[] ttAbsBound(ContractionPlan plan, TtMatrix tt, float[] v, Arena arena) {
        TtFormat f = tt.format();
        int d = f.order();
        float[][] abs = new float[d][];
        for (int k = 0; k < d; k++) {
            abs[k] = new float[f.coreSize(k)];
            int e = 0;
            for (int a = 0; a < f.bondRank(k); a++)
                for (int i = 0; i < f.rowFactor(k); i++)
                    for (int j = 0; j < f.colFactor(k); j++)
                        for (int b = 0; b < f.bondRank(k + 1); b++)
                            abs[k][e++] = Math.abs(tt.core(k, a, i, j, b));
        }
        return Numerics.run(plan, TtMatrix.of(f, abs, arena), v, KernelProvider.scalar(), arena);
    }

    @Property(tries = 40)
    void ttLstmEqualsTheDenseLstmItEncodes(@ForAll("shapes") Shape s) {
        try (Arena arena = Arena.ofConfined()) {
            TtFormat f = new TtFormat(s.rowFactors(), s.colFactors(), bonds(s));
            TtMatrix tt = TtMatrix.random(f, s.seed(), arena);
            float[] bias = Numerics.random(4 * s.hidden(), s.seed() + 2, 0.5);
            Lstm ttLstm = Lstm.tt(tt, s.input(), bias, arena);
            int cols = s.input() + s.hidden();
            MemorySegment w = DenseReconstruction.of(tt, cols, arena);
            Lstm dense = Lstm.dense(w, s.input(), s.hidden(), bias, arena);
            var plan = ContractionPlanner.tieOrder(f, 1);
            float[] bound = ttAbsBound(plan, tt, ones(f.cols(), cols), arena);
            compare(ttLstm, dense, s, epsilon(max(bound), Numerics.chain(plan, f.cols())), arena);
        }
    }

    /**
     * |v| bound of [x ; h ; 0]: ones over the first {@code live} columns (|x| <= 1, |h| < 1), zeros
     * over the padding.
     */
    static float[] ones(int width, int live) {
        float[] v = new float[width];
        java.util.Arrays.fill(v, 0, live, 1f);
        return v;
    }

    static double max(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    /** Both computations' rounding: 2 x (2 u chain |W| |v|). */
    static double epsilon(double absBound, double chain) {
        return 2 * 2 * Numerics.U * chain * absBound;
    }

    private static void compare(Lstm a, Lstm b, Shape s, double eps, Arena arena) {
        int t = s.frames(), batch = s.batch(), h = s.hidden();
        MemorySegment clip =
                Weights.copyOf(arena, Numerics.random(batch * t * s.input(), s.seed() + 9, 1));
        MemorySegment ha = Weights.floats(arena, (long) batch * t * h),
                hb = Weights.floats(arena, (long) batch * t * h);
        var sa = a.newState(batch, arena);
        var sb = b.newState(batch, arena);
        var wa = a.newWorkspace(batch, arena);
        var wb = b.newWorkspace(batch, arena);
        double dc = 0;
        for (int step = 1; step <= t; step++) {
            long frame = (long) (step - 1) * s.input();
            a.step(clip, frame, (long) t * s.input(), sa, wa);
            b.step(clip, frame, (long) t * s.input(), sb, wb);
            dc = dc + (step - 1) * eps / 4 + 1.25 * eps + 3 * ACT;
            double dh = dc + eps / 4 + 2 * ACT;
            float[] ca = sa.cToArray(), cb = sb.cToArray(), xa = sa.hToArray(), xb = sb.hToArray();
            for (int e = 0; e < ca.length; e++) {
                assertEquals(cb[e], ca[e], dc, "c at step " + step + " element " + e + " of " + s);
                assertEquals(xb[e], xa[e], dh, "h at step " + step + " element " + e + " of " + s);
            }
        }
    }
}
