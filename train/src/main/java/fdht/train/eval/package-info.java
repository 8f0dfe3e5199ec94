/**
 * Scoring a classifier LSTM on labelled clips: {@link fdht.train.eval.ClassifierEvaluation} (the
 * float kernels), {@link fdht.train.eval.FixedPointEvaluation} (the accelerator's fixed-point
 * arithmetic), {@link fdht.train.eval.Accuracy}.
 */
package fdht.train.eval;
