/**
 * fdht's converter: dense LSTM layers to HT and TT by truncated SVD, what {@code fdht convert}
 * runs. EJML's jars name no module: {@code ejml.ddense} and {@code ejml.core} are the automatic
 * names their file names give.
 */
@SuppressWarnings("requires-automatic")
module fdht.convert {
    requires transitive fdht.kernels;
    requires ejml.core;
    requires ejml.ddense;

    exports fdht.convert;
}
