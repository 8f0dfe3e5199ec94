package fdht.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fdht.convert.HtDecomposition;
import fdht.convert.Truncation;
import fdht.kernels.lstm.Lstm;
import fdht.layout.ColumnFactorization;
import fdht.layout.DimensionTree;
import fdht.layout.Weights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * A random dense LSTM converted to FDHT: at full ranks it gives the dense LSTM's hidden states;
 * truncated, its outputs stay within what the reported weight error implies. Would fail if the
 * decomposition reported a smaller error than it made, lost or reordered gate rows, or mishandled
 * the padding of [x ; h].
 *
 * <p>The bound: {@code |dz_i| <= ||W - W_ht||_2 ||v|| <= err ||W||_F sqrt(N_x + H)} for {@code |x|,
 * |h| <= 1}, plus rounding; then the LSTM recursion of {@link LstmProperties}.
 */
class ConversionProperties {

    @Property(tries = 30)
    void convertedLstmStaysWithinItsReportedError(
            @ForAll @IntRange(min = 1, max = 40) int input,
            @ForAll @IntRange(min = 1, max = 6) int hidden,
            @ForAll @IntRange(min = 1, max = 6) int rank,
            @ForAll boolean full,
            @ForAll @LongRange(min = 0, max = 1000) long seed) {
        int fourH = 4 * hidden, cols = input + hidden;
        int[] m = ColumnFactorization.exact(fourH, 2);
        int[] n = {(int) Math.ceil(Math.sqrt(cols)), 0};
        n[1] = (cols + n[0] - 1) / n[0];
        float[] w = Numerics.random(fourH * cols, seed, 1.0 / Math.sqrt(cols));
        float[] bias = Numerics.random(fourH, seed + 1, 0.3);
        try (Arena arena = Arena.ofConfined()) {
            HtDecomposition.Result r =
                    HtDecomposition.decompose(
                            w,
                            cols,
                            m,
                            n,
                            DimensionTree.balanced(2),
                            full ? Truncation.full() : Truncation.rank(rank),
                            arena);
            Lstm fdht = Lstm.fdht(r.matrix(), input, bias, arena);
            Lstm dense = Lstm.dense(Weights.copyOf(arena, w), input, hidden, bias, arena);
            double normW = 0;
            for (float v : w) normW += (double) v * v;
            normW = Math.sqrt(normW);
            if (full)
                assertTrue(
                        r.relativeError() < 1e-3, "full ranks reported error " + r.relativeError());
            // weight error plus the float rounding of both sides (2u per term, cols + HT chain
            // terms)
            double eps =
                    r.relativeError() * normW * Math.sqrt(cols)
                            + 4 * Numerics.U * (2 * cols + 64) * normW * Math.sqrt(cols);
            int frames = 4;
            MemorySegment clip =
                    Weights.copyOf(arena, Numerics.random(frames * input, seed + 2, 1));
            var sa = fdht.newState(1, arena);
            var sb = dense.newState(1, arena);
            var wa = fdht.newWorkspace(1, arena);
            var wb = dense.newWorkspace(1, arena);
            double dc = 0;
            for (int t = 1; t <= frames; t++) {
                fdht.step(clip, (long) (t - 1) * input, input, sa, wa);
                dense.step(clip, (long) (t - 1) * input, input, sb, wb);
                dc = dc + (t - 1) * eps / 4 + 1.25 * eps + 3 * LstmProperties.ACT;
                double dh = dc + eps / 4 + 2 * LstmProperties.ACT;
                float[] ha = sa.hToArray(), hb = sb.hToArray();
                for (int e = 0; e < hidden; e++)
                    assertEquals(
                            hb[e],
                            ha[e],
                            dh,
                            "h at step "
                                    + t
                                    + " unit "
                                    + e
                                    + " (reported error "
                                    + r.relativeError()
                                    + ")");
            }
        }
    }
}
