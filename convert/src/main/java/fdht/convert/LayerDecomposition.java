package fdht.convert;

import fdht.kernels.format.LayerFormat;
import fdht.kernels.lstm.DenseProjection;
import fdht.kernels.lstm.GateMatrix;
import fdht.kernels.lstm.Lstm;
import fdht.layout.HtFormat;
import fdht.layout.MatrixFormat;
import fdht.layout.PlanFactors;
import fdht.layout.TtFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.DoubleConsumer;

/**
 * A dense LSTM layer compressed into a planned {@link LayerFormat}: the matrix the format holds
 * ({@code [W_ih W_hh]}, or {@code W_ih} alone beside a dense {@code W_h}) decomposed by truncated
 * HT-SVD or TT-SVD, as the format's matrix kind says. The format given is the target's factors,
 * tree and maximum ranks (say from {@link LayerFormat#parse}); the decomposition keeps at most
 * those ranks, fewer where {@code tolerance} allows, and the result's format has the ranks it kept.
 *
 * <p>Cost: that of {@link HtDecomposition} or {@link TtDecomposition}. Stateless: safe from any
 * thread.
 */
public final class LayerDecomposition {
    /**
     * @param layer the compressed layer (bias as the dense one's), its weights in the caller's
     *     arena
     * @param relativeError {@code ||W - W'||_F / ||W||_F} of the decomposed matrix
     */
    public record Result(Lstm layer, double relativeError) {}

    private LayerDecomposition() {}

    /**
     * Compresses {@code dense} (a dense layer of {@code target}'s sizes) into {@code target}'s
     * format, every node at most at {@code target}'s rank, within relative error {@code tolerance}
     * (0: ranks alone decide).
     */
    public static Result compress(
            Lstm dense,
            LayerFormat.Planned target,
            double tolerance,
            Arena arena,
            DoubleConsumer progress) {
        if (!(dense.projection() instanceof DenseProjection d))
            throw new IllegalArgumentException(
                    "only a dense layer is compressed, not " + dense.format().name());
        if (dense.inputSize() != target.inputSize() || dense.hiddenSize() != target.hiddenSize())
            throw new IllegalArgumentException(
                    "the dense layer has N_x = "
                            + dense.inputSize()
                            + ", H = "
                            + dense.hiddenSize()
                            + " but the "
                            + target.key()
                            + " format has N_x = "
                            + target.inputSize()
                            + ", H = "
                            + target.hiddenSize());
        GateMatrix g = d.weights();
        MemorySegment w = target.coversHidden() ? g.weights() : g.inputWeights(arena);
        MatrixFormat m = target.matrix();
        int[] rows = m.rowFactors(), cols = m.colFactors();
        PlanFactors weights;
        double error;
        switch (m) {
            case HtFormat f -> {
                HtDecomposition.Result r =
                        HtDecomposition.decompose(
                                w,
                                target.columns(),
                                rows,
                                cols,
                                f.tree(),
                                Truncation.perNode(f.ranks(), tolerance),
                                arena,
                                progress);
                weights = r.matrix();
                error = r.relativeError();
            }
            case TtFormat f -> {
                int[] bonds = java.util.Arrays.copyOfRange(f.bondRanks(), 1, f.order());
                TtDecomposition.Result r =
                        TtDecomposition.decompose(
                                w,
                                target.columns(),
                                rows,
                                cols,
                                Truncation.perNode(bonds, tolerance),
                                arena);
                weights = r.matrix();
                error = r.relativeError();
            }
        }
        Lstm layer =
                Lstm.planned(
                        target.withMatrix(weights.format()),
                        weights,
                        target.coversHidden() ? null : g.hiddenWeights(arena),
                        dense.biasToArray(),
                        arena);
        return new Result(layer, error);
    }
}
