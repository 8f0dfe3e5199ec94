/**
 * Training of FDHT-LSTMs: reverse mode through the contraction plan, BPTT through the LSTM,
 * optimisers, and the data sets they learn from ({@code fdht.train.data}).
 */
package fdht.train;
