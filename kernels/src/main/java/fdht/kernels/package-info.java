/**
 * The kernels ({@link fdht.kernels.Kernels}: {@link fdht.kernels.ScalarKernels}, the obviously
 * correct twins, and the Vector API ones), the provider that picks them once with the measurement
 * switches ({@link fdht.kernels.KernelProvider}, {@link fdht.kernels.KernelOptions}), and the
 * execution of a compiled plan ({@link fdht.kernels.PlanExecutor}, {@link
 * fdht.kernels.PlanWorkspace}, {@link fdht.kernels.ExecutionPath}). Imports {@code fdht.layout};
 * the vector kernels only reflectively, so nothing touches the incubator module before the check.
 */
package fdht.kernels;
