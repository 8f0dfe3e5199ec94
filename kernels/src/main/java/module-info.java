/**
 * fdht's runtime: the scalar and Vector API kernels, the layer formats, LSTM layers and stacks,
 * model files and the model API ({@code fdht.kernels.model}, what embedders program against). With
 * {@code fdht.layout} it is all an embedder needs. The Vector API is optional at run time ({@code
 * requires static}): without {@code --add-modules=jdk.incubator.vector} the provider falls back to
 * the scalar kernels, as on the class path. {@code fdht.kernels.vector} (the vector kernels and the
 * species every vector kernel shares) is for the trainer's backward kernels alone.
 */
module fdht.kernels {
    requires transitive fdht.layout;
    requires static jdk.incubator.vector;
    requires jdk.management; // the provider reads HotSpot flags; C1Directive a diagnostic command

    exports fdht.kernels;
    exports fdht.kernels.format;
    exports fdht.kernels.lstm;
    exports fdht.kernels.model;
    exports fdht.kernels.vector to
            fdht.train;
}
