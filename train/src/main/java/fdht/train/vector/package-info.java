/**
 * The Vector API twins of the backward kernels ({@link fdht.train.vector.VectorBackward}), loaded
 * reflectively by {@code BackwardProvider} only when the forward kernels are the vector ones.
 * Imports the incubator module, {@code fdht.kernels.vector.VectorConstants} (the one species) and
 * {@code fdht.train.plan}; nothing else of {@code fdht.train} imports this package.
 */
package fdht.train.vector;
