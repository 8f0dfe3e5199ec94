/**
 * The {@code fdht} command line (picocli): one class per command, {@link fdht.cli.Main} routing
 * them. An application on the class path; may import every fdht module, nothing imports it.
 */
package fdht.cli;
