/**
 * Files in and out: safetensors model files ({@link fdht.layout.io.SafetensorsFile}, {@link
 * fdht.layout.io.SafetensorsWriter}), NumPy {@code .npy} arrays ({@link fdht.layout.io.NpyFile}), a
 * small JSON reader, and the rule every writer follows: an output appears whole or not at all
 * ({@link fdht.layout.io.AtomicFile}), and a command's several outputs appear together or not at
 * all ({@link fdht.layout.io.AtomicOutputs}). Files read here are untrusted input: every problem is
 * a {@link fdht.layout.io.ModelFileException} naming the file. Imports only the JDK.
 */
package fdht.layout.io;
