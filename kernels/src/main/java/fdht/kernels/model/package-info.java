/**
 * The model API: what an embedder calls. {@link fdht.kernels.model.Model} loads any model file fdht
 * reads once and is shared by all threads (as ONNX Runtime's {@code OrtSession}); a {@link
 * fdht.kernels.model.Predictor} per thread classifies clips and batches into {@link
 * fdht.kernels.model.Prediction}s (as DJL's {@code Predictor}), or writes logits and hidden states
 * into the caller's buffers without allocating; {@link fdht.kernels.model.Model#score} streams any
 * number of clips ({@link fdht.kernels.model.ClipSource}: an {@code .npy} read a chunk at a time,
 * segments, arrays, iterators, generated clips) through cache-sized chunks on all cores, its
 * outputs in input order to files, segments or a {@link fdht.kernels.model.ResultSink} ({@link
 * fdht.kernels.model.BulkOptions}, {@link fdht.kernels.model.BulkScores}); a {@link
 * fdht.kernels.model.SequenceBatcher} steps many live streams a frame at a time, their frames
 * batched together, each stream's outputs to its {@link fdht.kernels.model.FrameListener}.
 *
 * <p>The API owns its arenas: a model its weights', a predictor its confined buffers', a scoring
 * call each thread's. Errors: {@link java.lang.IllegalArgumentException} for a bad argument (naming
 * what was expected and what came; {@link fdht.kernels.model.NonFiniteInputException} for a NaN or
 * infinite input value), {@link java.lang.IllegalStateException} for a closed model or predictor or
 * classes asked of a model without a head, {@link fdht.layout.io.ModelFileException} for a file
 * that cannot be used.
 *
 * <p>Imports {@code fdht.kernels.lstm} (the stacks it runs), {@code fdht.kernels} (the kernels'
 * lanes) and {@code fdht.layout} (weights, model and {@code .npy} files); nothing in the kernels
 * imports it.
 */
package fdht.kernels.model;
