package fdht.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every vector kernel uses, fixed at class initialisation: the preferred
 * species, or the width asked for by {@code -Dfdht.vectorBits=128|256|512}. Kept in its own
 * holder so nothing touches the incubator API before {@code KernelProvider} has checked for it.
 */
final class FloatSpecies {
    static final VectorSpecies<Float> SPECIES = pick();

    private FloatSpecies() {}

    private static VectorSpecies<Float> pick() {
        int bits = Integer.getInteger("fdht.vectorBits", -1);
        if (bits < 0) return FloatVector.SPECIES_PREFERRED;
        VectorShape shape = switch (bits) {
            case 128 -> VectorShape.S_128_BIT;
            case 256 -> VectorShape.S_256_BIT;
            case 512 -> VectorShape.S_512_BIT;
            default -> throw new IllegalArgumentException("fdht.vectorBits=" + bits + ": expected 128, 256 or 512 (0 = scalar)");
        };
        if (shape.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalArgumentException("fdht.vectorBits=" + bits + " exceeds this CPU's " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
        return VectorSpecies.of(float.class, shape);
    }
}
