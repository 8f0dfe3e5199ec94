package fdht.train.vector;

import static fdht.kernels.vector.VectorConstants.LE;
import static fdht.kernels.vector.VectorConstants.offHeap;

import fdht.train.plan.AdamUpdate;
import fdht.train.plan.ScalarBackward;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam's update ({@code fdht.train.plan.BackwardKernels#adam}) along the elements, in double
 * vectors of the kernels' width: half a vector of floats widened per load, narrowed per store, the
 * scalar twin's operations in its order (no fused multiply-adds, correctly rounded division and
 * square root), so the two give the same bits; the last elements past a whole vector go through the
 * scalar twin. The scalar loop was bound by its two divisions and square root per element (350 ms
 * of a 1.9 s MFM-40-UCF dense batch, 59 M weights, {@code tools/dense_train_parts.sh}); this one by
 * the memory it streams (seven floats per element).
 *
 * <p>Thread safety: stateless and thread-safe; allocates nothing once compiled.
 */
final class VectorAdam {
    private static final VectorSpecies<Float> S = BackwardSpecies.SPECIES;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final VectorSpecies<Float> HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final int N = D.length(); // elements per step: D's and HALF's lanes
    private static final long NB = (long) N * Float.BYTES;

    private VectorAdam() {}

    static void update(
            AdamUpdate u,
            MemorySegment w,
            MemorySegment g,
            MemorySegment m,
            MemorySegment v,
            int from,
            int to) {
        w = offHeap(w);
        g = offHeap(g);
        m = offHeap(m);
        v = offHeap(v);
        double b1 = u.beta1(), b2 = u.beta2(), c1 = u.c1(), c2 = u.c2(), lr = u.learningRate();
        double eps = u.eps(), wd = u.weightDecay(), r1 = 1 - b1, r2 = 1 - b2;
        float scale = u.gradScale();
        int e = from;
        for (long o = (long) from * Float.BYTES; e + N <= to; e += N, o += NB) {
            DoubleVector ge = widen(FloatVector.fromMemorySegment(HALF, g, o, LE).mul(scale));
            DoubleVector me =
                    widen(FloatVector.fromMemorySegment(HALF, m, o, LE)).mul(b1).add(ge.mul(r1));
            DoubleVector ve =
                    widen(FloatVector.fromMemorySegment(HALF, v, o, LE))
                            .mul(b2)
                            .add(ge.mul(r2).mul(ge));
            narrow(me).intoMemorySegment(m, o, LE);
            narrow(ve).intoMemorySegment(v, o, LE);
            DoubleVector we = widen(FloatVector.fromMemorySegment(HALF, w, o, LE));
            DoubleVector step = me.div(c1).div(ve.div(c2).sqrt().add(eps)).add(we.mul(wd));
            narrow(we.sub(step.mul(lr))).intoMemorySegment(w, o, LE);
        }
        if (e < to) ScalarBackward.INSTANCE.adam(u, w, g, m, v, e, to);
    }

    private static DoubleVector widen(FloatVector f) {
        return (DoubleVector) f.convertShape(VectorOperators.F2D, D, 0);
    }

    private static FloatVector narrow(DoubleVector d) {
        return (FloatVector) d.convertShape(VectorOperators.D2F, HALF, 0);
    }
}
