package fdht.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * A TT matrix, the workload of the TIE baseline: a {@link TtFormat} and its cores {@code
 * G_k[a][i][j][b]} ({@code r_{k-1} x m_k x n_k x r_k}, row-major) in native memory owned by a
 * caller's arena. Immutable and safe to share between threads.
 */
public final class TtMatrix implements PlanFactors {
    private final TtFormat format;
    private final MemorySegment data;
    private final long[] offsets;

    private TtMatrix(TtFormat format, MemorySegment data, long[] offsets) {
        this.format = format;
        this.data = data;
        this.offsets = offsets;
    }

    public static TtMatrix of(TtFormat format, float[][] cores, Arena arena) {
        int d = format.order();
        if (cores.length != d)
            throw new IllegalArgumentException(
                    "format has " + d + " cores but " + cores.length + " were given");
        long[] offsets = new long[d + 1];
        for (int k = 0; k < d; k++)
            offsets[k + 1] = offsets[k] + ((format.coreSize(k) + 15L) & ~15L);
        MemorySegment data = Weights.floats(arena, offsets[d]);
        for (int k = 0; k < d; k++) {
            if (cores[k].length != format.coreSize(k)) {
                throw new IllegalArgumentException(
                        "core "
                                + (k + 1)
                                + " needs "
                                + format.coreSize(k)
                                + " values, got "
                                + cores[k].length);
            }
            for (int e = 0; e < cores[k].length; e++) {
                if (!Float.isFinite(cores[k][e]))
                    throw new IllegalArgumentException(
                            "core " + (k + 1) + " has a non-finite value at flat index " + e);
                Weights.set(data, offsets[k] + e, cores[k][e]);
            }
        }
        return new TtMatrix(format, data, offsets);
    }

    /** Deterministic random cores with entries of {@code W} of variance about {@code 1/N}. */
    public static TtMatrix random(TtFormat format, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] cores = new float[format.order()][];
        for (int k = 0; k < cores.length; k++) {
            double variance = 1.0 / (format.colFactor(k) * (double) format.bondRank(k));
            double half = Math.sqrt(3 * variance);
            cores[k] = new float[format.coreSize(k)];
            for (int e = 0; e < cores[k].length; e++)
                cores[k][e] = (float) ((rnd.nextDouble() * 2 - 1) * half);
        }
        return of(format, cores, arena);
    }

    public TtFormat format() {
        return format;
    }

    /** G_k[a][i][j][b]. */
    public float core(int k, int a, int i, int j, int b) {
        int m = format.rowFactor(k), n = format.colFactor(k), rb = format.bondRank(k + 1);
        return Weights.get(data, offsets[k] + (((long) a * m + i) * n + j) * rb + b);
    }

    /** Cores copied to the heap, in the layout {@link #of} takes. */
    @Override
    public float[][] toArrays() {
        float[][] out = new float[format.order()][];
        for (int k = 0; k < out.length; k++)
            out[k] = Weights.toArray(data, offsets[k], format.coreSize(k));
        return out;
    }

    @Override
    public float factor(Stage stage, int[] c, int[] q) {
        if (stage.op() != Stage.Op.TT_CORE)
            throw new IllegalArgumentException("a TT matrix has only TT cores");
        int k = stage.node();
        int b = c.length > 1 ? c[1] : 0; // right bond, absent for the last core
        int a = q.length > 1 ? q[1] : 0; // left bond, absent for the first core
        return core(k, a, q[0], c[0], b);
    }
}
