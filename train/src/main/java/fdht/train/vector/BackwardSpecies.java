package fdht.train.vector;

import fdht.kernels.vector.VectorConstants;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species of the backward kernels, the forward kernels' own ({@link VectorConstants#S}).
 * A holder of its own so nothing touches the incubator API before {@code BackwardProvider} has
 * checked that the forward kernels are vector ones.
 */
final class BackwardSpecies {
    static final VectorSpecies<Float> SPECIES = VectorConstants.S;

    private BackwardSpecies() {}
}
