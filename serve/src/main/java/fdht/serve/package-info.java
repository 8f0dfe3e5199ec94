/**
 * {@code fdht serve}: {@link fdht.serve.OipServer} serves one model over the Open Inference
 * Protocol (KServe v2 REST, Triton's sequence and binary tensor data extensions) on Helidon SE's
 * WebServer, with {@link fdht.serve.ServeConfig}'s limits; whole clips run on platform threads with
 * a predictor each, live sequences on the model API's {@link fdht.kernels.model.SequenceBatcher}.
 * Imports the public model API ({@code fdht.kernels.model}), {@code fdht.serve.oip}, Helidon,
 * Jackson and Micrometer; the library never imports it, so embedders of the library do not pull the
 * server.
 */
package fdht.serve;
