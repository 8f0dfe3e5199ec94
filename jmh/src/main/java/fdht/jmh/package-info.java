/**
 * The JMH benchmarks and their report (tables and charts). An application on the class path: may
 * import every fdht module, internal tables included, and the peers in {@code fdht.jmh.peers}.
 */
package fdht.jmh;
