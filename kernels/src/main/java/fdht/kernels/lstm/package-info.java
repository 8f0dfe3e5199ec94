/**
 * LSTM layers in any {@code LayerFormat} ({@link fdht.kernels.lstm.Lstm} with a {@link
 * fdht.kernels.lstm.GateProjection}), stacks ({@link fdht.kernels.lstm.LstmStack}), their
 * per-thread workspaces and state, model files ({@link fdht.kernels.lstm.LstmModelFile}) and dense
 * PyTorch state dicts ({@link fdht.kernels.lstm.PytorchStateDict}). Imports {@code fdht.kernels},
 * {@code fdht.kernels.format} and {@code fdht.layout}.
 */
package fdht.kernels.lstm;
