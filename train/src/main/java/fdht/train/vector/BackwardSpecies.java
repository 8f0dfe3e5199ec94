package fdht.train.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species of the backward kernels, chosen exactly as the forward kernels choose theirs
 * ({@code -Dfdht.vectorBits}, else the preferred one). A holder of its own so nothing touches the
 * incubator API before {@code BackwardProvider} has checked that the forward kernels are vector ones.
 */
final class BackwardSpecies {
    static final VectorSpecies<Float> SPECIES = pick();

    private BackwardSpecies() {}

    private static VectorSpecies<Float> pick() {
        int bits = Integer.getInteger("fdht.vectorBits", -1);
        if (bits < 0) return FloatVector.SPECIES_PREFERRED;
        VectorShape shape = VectorShape.forBitSize(bits);
        if (shape.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalArgumentException("fdht.vectorBits=" + bits + " exceeds this CPU's " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
        return VectorSpecies.of(float.class, shape);
    }
}
