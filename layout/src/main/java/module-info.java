/**
 * fdht's layout: the HT and TT formats, the contraction planner and compiled plans, the banked
 * memory layout of the accelerator and the model and data files. Needs nothing of fdht; Jackson's
 * streaming core reads the safetensors headers. {@code fdht.layout.internal} (a compiled plan's raw
 * tables) is for the fdht modules that run plans alone.
 */
module fdht.layout {
    requires com.fasterxml.jackson.core;

    exports fdht.layout;
    exports fdht.layout.banks;
    exports fdht.layout.io;
    exports fdht.layout.internal to
            fdht.kernels,
            fdht.train;
}
