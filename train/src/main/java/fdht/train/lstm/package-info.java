/**
 * Trainable LSTM layers: one trainable per planned format ({@link
 * fdht.train.lstm.PlannedTrainable}) beside {@link fdht.train.lstm.DenseTrainable}, the stack
 * ({@link fdht.train.lstm.TrainableLstm}), BPTT and the trainer ({@link fdht.train.lstm.Trainer}).
 * Imports {@code fdht.train.plan}, {@code fdht.train.optim}, {@code fdht.kernels} and {@code
 * fdht.layout}.
 */
package fdht.train.lstm;
