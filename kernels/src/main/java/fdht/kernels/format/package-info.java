/**
 * What one LSTM layer's weights look like, apart from their values: the sealed {@link
 * fdht.kernels.format.LayerFormat} (FDHT, HT on {@code W_x}, TT over {@code [x ; h]}, TT-LSTM as
 * published, dense, each with its key, planner, sizes and descriptions), the rank words people give
 * ({@link fdht.kernels.format.RankSpec}) and how gate-matrix factors are chosen ({@link
 * fdht.kernels.format.GateFactors}). Imports {@code fdht.layout} only; the kernels, trainer, model
 * files and command line read formats from here.
 */
package fdht.kernels.format;
