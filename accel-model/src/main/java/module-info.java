/**
 * fdht's accelerator model: the cycle-level model of the FDHT accelerator and of TIE, their configs
 * (resources under {@code fdht/accel}) and the fixed-point functional model. Reads plans and
 * formats from {@code fdht.kernels} and {@code fdht.layout}.
 */
module fdht.accel {
    requires transitive fdht.kernels;

    exports fdht.accel;
}
