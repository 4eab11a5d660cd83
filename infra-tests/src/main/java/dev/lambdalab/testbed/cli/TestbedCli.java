package dev.lambdalab.testbed.cli;

import dev.lambdalab.db.Redactor;
import dev.lambdalab.testbed.ExecutionModel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code testbed}: the test bed's command line. Usage errors exit 2 with a one-line message; failures
 * exit 1 with a one-line message (the stack trace only with --verbose); success exits 0.
 */
@Command(name = "testbed", mixinStandardHelpOptions = true, versionProvider = TestbedCli.Version.class,
        description = "Reproduce database connection exhaustion in AWS Lambda, and verify the fix, on this machine.",
        subcommands = {ReproduceCommand.class, FaultsCommand.class, ServeCommand.class, InvokeCommand.class,
            ProxyCommand.class, BenchCommand.class,
            CheckCommand.class, AwsCommand.class,
            CommandLine.HelpCommand.class})
public final class TestbedCli implements Runnable {

    /** Exit code of a usage error (bad flag or value). */
    public static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    public static void main(String[] args) {
        // Netty's leak detector tracks a sample of buffers and touches every buffer it tracks on each pass through the
        // proxies: a cost that bench proxy measured (about 5 % of pgbench -S through the emulator). The test suite,
        // which does not come through here, keeps it at Netty's default and is where leaks are found. A property, read
        // when Netty first needs it: touching ResourceLeakDetector here would create its logger before Logging sets
        // where log lines go.
        setUnlessGiven("io.netty.leakDetection.level", "disabled");
        // Likewise Netty's checks, on every read of a buffer, that it is still referenced and that the read is in
        // bounds: reading a message's fields is most of what the proxies do per message, and the reference-count check
        // alone was 11 % of the emulator's CPU samples under pgbench -S -M simple (JFR, testbed proxy). Both are Netty's
        // documented switches; the test suite, which does not come through here, keeps the checks.
        setUnlessGiven("io.netty.buffer.checkAccessible", "false");
        setUnlessGiven("io.netty.buffer.checkBounds", "false");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new TestbedCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(out)
                .setErr(err);
        LabelledConverter.register(commandLine, ExecutionModel.class, "execution model");
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine command = exception.getCommandLine();
            err.println("testbed: " + exception.getMessage());
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the flags and their values.");
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            if (exception instanceof CommandLine.ParameterException parameter) {
                err.println("testbed: " + parameter.getMessage());
                return USAGE;
            }
            err.println("testbed: error: " + Redactor.redact(oneLine(exception)));
            if (parseResult.hasMatchedOption("--verbose")) {
                exception.printStackTrace(err);
            }
            return 1;
        });
        return commandLine.execute(args);
    }

    /** The message of the exception and, when it adds something, of its root cause, on one line. */
    static String oneLine(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = exception.getMessage() == null ? exception.getClass().getSimpleName() : exception.getMessage();
        if (root != exception && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (" + root.getMessage() + ")";
        }
        return message.replace('\n', ' ');
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: reproduce, faults, serve,"
                + " invoke, proxy, bench, check or aws");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TestbedCli.class.getPackage().getImplementationVersion();
            return new String[] {"testbed " + (version == null ? "(development build)" : version)};
        }
    }
}
