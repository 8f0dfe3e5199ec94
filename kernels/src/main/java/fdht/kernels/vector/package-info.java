/**
 * The Vector API kernels, one family per class behind {@link fdht.kernels.vector.VectorKernels},
 * and the constants they share ({@link fdht.kernels.vector.VectorConstants}: the one species).
 * Loaded only by {@code KernelProvider}; exported only to {@code fdht.train}, whose backward
 * kernels use the same species. Imports the incubator module, {@code fdht.kernels} and {@code
 * fdht.layout}.
 */
package fdht.kernels.vector;
