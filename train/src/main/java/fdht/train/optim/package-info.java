/**
 * Optimisers and what they apply: Adam ({@link fdht.train.optim.Adam}), gradient clipping and the
 * learning-rate schedule. Imports {@code fdht.train.plan} (the update kernels), {@code
 * fdht.train.lstm} (the parameters) and {@code fdht.layout}.
 */
package fdht.train.optim;
