/**
 * The peers fdht is measured against: ONNX Runtime's LSTM and netlib BLAS. Imports their libraries
 * and the JDK only.
 */
package fdht.jmh.peers;
