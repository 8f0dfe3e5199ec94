/**
 * Dense LSTM layers to HT and TT: leaves-to-root truncated HT-SVD (Grasedyck) and TT-SVD with
 * EJML's eigendecompositions ({@link fdht.convert.LayerDecomposition} for a whole layer, {@link
 * fdht.convert.HtDecomposition} and {@link fdht.convert.TtDecomposition} for one matrix). Used by
 * {@code fdht convert}; not needed to run a model. May import {@code fdht.layout}, {@code
 * fdht.kernels} (formats and layers) and EJML; nothing in fdht imports it but the applications.
 */
package fdht.convert;
