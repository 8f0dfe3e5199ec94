package fdht.cli;

import java.io.PrintStream;

/** Entry point of the {@code fdht} command. Until the full command line lands it knows {@code demo}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String cmd = args.length == 0 ? "help" : args[0];
        try {
            return switch (cmd) {
                case "demo" -> Demo.run(out);
                case "help", "--help", "-h" -> {
                    out.println("usage: fdht <command>");
                    out.println("  demo   run an FDHT-LSTM with the LSTM-UCF shapes against the dense LSTM it encodes");
                    out.println("  test   (launcher script) run the whole test suite");
                    yield 0;
                }
                default -> {
                    err.println("fdht: unknown command '" + cmd + "' (try: fdht help)");
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("fdht " + cmd + ": " + e.getMessage());
            return 2;
        }
    }
}
