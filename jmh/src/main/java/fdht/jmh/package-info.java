/**
 * The JMH benchmarks (LSTM-UCF and LSTM-Youtube at HT ranks 4 and 8: stages, plans, steps,
 * variants, thread scaling; the bundled MFM-40 model's step, clip and bulk scoring; the machine's
 * FMA peak and read bandwidth) and the report that turns their JSON into tables, physical limits,
 * targets and charts ({@code ./fdht bench}, {@code ./fdht report}). Not a library: nothing imports
 * it. An application on the class path: may import every fdht module, internal tables included, and
 * the peers in {@code fdht.jmh.peers}.
 */
package fdht.jmh;
