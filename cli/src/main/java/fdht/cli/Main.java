package fdht.cli;

import fdht.layout.io.ModelFileException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code fdht} command line. Errors in user input (missing or malformed files, wrong shapes,
 * bad options) exit with status 2 and one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(
        name = "fdht",
        mixinStandardHelpOptions = true,
        version = "fdht 0.1.0",
        description = "FDHT-LSTM: hierarchical Tucker compressed LSTM inference on the CPU.",
        subcommands = {
            DemoCommand.class,
            ConvertCommand.class,
            InferCommand.class,
            InspectCommand.class,
            SimulateCommand.class,
            SoakCommand.class,
            DataCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @Option(
            names = "--verbose",
            description = "Print stack traces with errors.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(
                run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> 2);
        cl.setParameterExceptionHandler(
                (ex, a) -> {
                    ex.getCommandLine()
                            .getErr()
                            .println("fdht: " + ex.getMessage() + " (see --help)");
                    return 2;
                });
        cl.setExecutionExceptionHandler(
                (ex, failed, result) -> {
                    String cmd =
                            failed.getCommandName().equals("fdht")
                                    ? "fdht"
                                    : "fdht " + failed.getCommandName();
                    if (ex instanceof ModelFileException
                            || ex instanceof IllegalArgumentException
                            || ex instanceof IllegalStateException
                            || ex instanceof java.io.UncheckedIOException) {
                        err.println(cmd + ": " + ex.getMessage());
                    } else {
                        err.println(cmd + ": unexpected " + ex);
                    }
                    if (main.verbose)
                        ex.printStackTrace(err); // an inherited option: set here wherever it stood
                    err.flush();
                    return 2;
                });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
