/**
 * The timed model of the FDHT accelerator and of TIE (our reconstruction; docs/ACCELERATOR.md): the
 * workloads and the models each chip runs ({@link fdht.accel.Workload}, {@link
 * fdht.accel.Variant}), the configs with their provenance ({@link fdht.accel.AcceleratorConfig}),
 * the cycle model ({@link fdht.accel.CycleModel}), the comparison and its sensitivity and sweeps
 * ({@link fdht.accel.Comparison}, {@link fdht.accel.Sensitivity}, {@link fdht.accel.Sweep}), the
 * fit of the fitted entries and its leave-one-out check ({@link fdht.accel.JointFit}), and the
 * functional mode in fixed point ({@link fdht.accel.FunctionalModel}). Imports {@code fdht.layout}
 * and {@code fdht.kernels}; the command line and the benchmarks read it.
 */
package fdht.accel;
