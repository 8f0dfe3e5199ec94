/**
 * Reverse mode through a compiled contraction plan: {@link fdht.train.plan.PlanTape} walks the plan
 * both ways with layout's {@code PlanWalker} over a batch in the lane layout, the backward kernels
 * ({@link fdht.train.plan.BackwardKernels}: stage, dense and LSTM-cell adjoints, the scalar twin
 * {@link fdht.train.plan.ScalarBackward}, chosen by {@link fdht.train.plan.BackwardProvider}) do
 * the arithmetic, and the packings carry factor gradients to node tensors. Imports {@code
 * fdht.layout} and {@code fdht.kernels}; never {@code fdht.train.lstm} or the vector package.
 */
package fdht.train.plan;
