package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.db.ExternalPostgresServer;
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

    @Option(names = "--containers", description = "PostgreSQL and PgBouncer as Docker containers (Testcontainers)"
            + " instead of the embedded server and the installed PgBouncer (default: $" + TestBed.CONTAINERS_VARIABLE
            + "=1 if set).")
    private boolean containers;

    /** Usage errors (exit code 2) for options that contradict each other or a URL that does not parse. */
    void validate(CommandSpec spec) {
        require(spec, !(containers && postgresUrl != null), "--containers and --postgres-url exclude each other:"
                + " the containers bring their own server");
        if (postgresUrl != null) {
            try {
                new ExternalPostgresServer(postgresUrl); // parses only; its messages never quote the password
            } catch (IllegalArgumentException e) {
                require(spec, false, "--postgres-url: " + e.getMessage());
            }
        }
    }

    /**
     * The test bed these options name, closed on Ctrl-C or SIGTERM: PgBouncer and PostgreSQL stop and
     * their files are deleted. Call {@link #validate} first.
     */
    TestBed open(int roleLimit) {
        TestBed testBed;
        if (containers) {
            testBed = TestBed.containers(roleLimit);
        } else if (postgresUrl != null) {
            testBed = TestBed.external(postgresUrl, roleLimit);
        } else {
            testBed = TestBed.fromEnvironment(roleLimit);
        }
        return testBed.closeOnShutdown();
    }

    /** A usage error (exit code 2) when the condition does not hold. */
    static void require(CommandSpec spec, boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
