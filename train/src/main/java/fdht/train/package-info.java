/**
 * Training of FDHT-LSTMs: reverse mode through the contraction plan, BPTT through the LSTM,
 * optimisers, and the data sets they learn from ({@code fdht.train.data}). This package holds a
 * whole run as {@code fdht train} does it ({@link fdht.train.TrainingRun}: validation, early
 * stopping, the test scored once), its configuration ({@link fdht.train.TrainingConfig}), its
 * checkpoint ({@link fdht.train.Checkpoint}, for {@code --resume}), its curve ({@link
 * fdht.train.EpochLine}) and its result file ({@link fdht.train.RunResult}). It may import the
 * kernels and layout modules and its own subpackages; nothing here imports the command line.
 */
package fdht.train;
