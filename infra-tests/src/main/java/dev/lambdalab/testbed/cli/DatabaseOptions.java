package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.scenario.TestBed;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The database options every command shares: an external server instead of the embedded one. */
final class DatabaseOptions {

    @Option(names = "--postgres-url", paramLabel = "URL", description = "Use this server instead of the embedded one:"
            + " postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres (default: $" + TestBed.POSTGRES_URL_VARIABLE
            + " if set).")
    private String postgresUrl;

    /**
     * The test bed these options name, closed on Ctrl-C or SIGTERM: PgBouncer and PostgreSQL stop and
     * their files are deleted.
     */
    TestBed open(int roleLimit) {
        String url = postgresUrl != null ? postgresUrl : System.getenv(TestBed.POSTGRES_URL_VARIABLE);
        TestBed testBed = url == null || url.isBlank() ? TestBed.embedded(roleLimit) : TestBed.external(url, roleLimit);
        return testBed.closeOnShutdown();
    }

    /** A usage error (exit code 2) when the condition does not hold. */
    static void require(CommandSpec spec, boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
