/**
 * A compiled plan's raw tables for the kernels' hot loops ({@link
 * fdht.layout.internal.PlanTables}): exported only to {@code fdht.kernels} and {@code fdht.train},
 * never part of the API. Imports {@code fdht.layout}.
 */
package fdht.layout.internal;
