/**
 * The Open Inference Protocol's (KServe v2) inference messages as fdht serves them: {@link
 * fdht.serve.oip.InferRequest} parses a request body (JSON tensors, Triton's binary tensor data and
 * sequence parameters), {@link fdht.serve.oip.InferResponse} writes one, {@link
 * fdht.serve.oip.Tensor} is an FP32 tensor and {@link fdht.serve.oip.OipException} an error answer
 * with its HTTP status. Imports Jackson only; nothing here knows the model or the server.
 */
package fdht.serve.oip;
