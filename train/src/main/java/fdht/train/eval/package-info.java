/**
 * Scoring a classifier LSTM on labelled clips: {@link fdht.train.eval.ClassifierEvaluation}, {@link
 * fdht.train.eval.Accuracy}.
 */
package fdht.train.eval;
