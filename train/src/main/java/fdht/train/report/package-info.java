/**
 * Reports of training and accuracy runs: tables and charts ({@link
 * fdht.train.report.AccuracyReport}, {@link fdht.train.report.ProtocolReport}) and gradient dumps.
 * Imports the rest of {@code fdht.train}, {@code fdht.kernels}, {@code fdht.layout.io} and XChart.
 */
package fdht.train.report;
