package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.db.ExternalPostgresServer;
import dev.lambdalab.testbed.lambda.FunctionConfig;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.process.JavaRuntime;
import dev.lambdalab.testbed.lambda.process.JvmProfile;
import dev.lambdalab.testbed.lambda.process.ProcessRuntime;
import dev.lambdalab.testbed.stack.FunctionSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every command that starts a test bed shares: where PostgreSQL comes from (embedded, an
 * external server, containers) and how the emulator isolates execution environments.
 */
final class TestBedOptions {

    @Option(names = "--postgres-url", paramLabel = "URL", description = "Use this server instead of the embedded one:"
            + " postgresql://SUPERUSER:PASSWORD@HOST:PORT/postgres (default: $" + TestBed.POSTGRES_URL_VARIABLE
            + " if set).")
    private String postgresUrl;

    @Option(names = "--containers", description = "PostgreSQL and PgBouncer as Docker containers (Testcontainers)"
            + " instead of the embedded server and the installed PgBouncer (default: $" + TestBed.CONTAINERS_VARIABLE
            + "=1 if set).")
    private boolean containers;

    @Option(names = "--isolation", paramLabel = "MODE", description = "How the emulator isolates execution environments:"
            + " classloader (a class loader each, in this JVM) or process (a JVM each under AWS's runtime interface"
            + " client, frozen between invocations; Linux) (default: $" + TestBed.ISOLATION_VARIABLE
            + " if set, else classloader).", converter = LabelledConverter.IsolationConverter.class)
    private Isolation isolation;

    @Option(names = "--proxy", paramLabel = "KIND", description = "The proxy of the proxy scenarios: rds-proxy (the"
            + " RDS Proxy emulator in this JVM: pinning, texts and metrics of RDS Proxy) or pgbouncer (the installed"
            + " PgBouncer, or its container with --containers); serve and invoke with a template also take none (the"
            + " functions go straight to the database) (default: $" + TestBed.PROXY_VARIABLE
            + " if set, else rds-proxy).", converter = ProxyChoice.Converter.class)
    private ProxyChoice proxy;

    @Option(names = "--jvm-profile", paramLabel = "PROFILE", description = "JVM flags of process environments: fast"
            + " (a class-data sharing archive, a heap that starts small) or lambda (exactly the managed runtime's, so"
            + " Init Duration compares with AWS's) (default: $" + JvmProfile.VARIABLE + " if set, else fast).",
            converter = LabelledConverter.JvmProfileConverter.class)
    private JvmProfile jvmProfile;


    /** Usage errors (exit code 2) for options that contradict each other or a URL that does not parse. */
    void validate(CommandSpec spec) {
        validate(spec, false);
    }

    /** The same, for a command that also takes {@code --proxy none} (its functions then go straight to the database). */
    void validate(CommandSpec spec, boolean noProxyAllowed) {
        require(spec, proxy != ProxyChoice.NONE || noProxyAllowed, ProxyChoice.refusal("none", ""));
        if (isolation == Isolation.PROCESS) {
            ProcessRuntime.unavailableReason().ifPresent(reason -> require(spec, false, "--isolation process: " + reason));
        }
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
        if (isolation != null) {
            testBed.withIsolation(isolation);
        }
        if (proxy != null) {
            proxy.kind().ifPresent(testBed::withProxy);
        }
        if (jvmProfile != null) {
            testBed.withJvmProfile(jvmProfile);
        }
        return testBed.closeOnShutdown();
    }

    /** Whether {@code --proxy pgbouncer} was given. */
    boolean proxyPgBouncer() {
        return proxy == ProxyChoice.PGBOUNCER;
    }

    /** Whether {@code --proxy none} was given (for a command that takes it). */
    boolean proxyNone() {
        return proxy == ProxyChoice.NONE;
    }

    /** Whether {@code --isolation} was given. */
    boolean isolationGiven() {
        return isolation != null;
    }

    /** The isolation the flag (or TESTBED_ISOLATION) asks for; class loaders when neither does. */
    Isolation isolation() {
        return isolation != null ? isolation : TestBed.defaultIsolation();
    }

    /** The isolation for reports: what each environment is. */
    static String isolationText(TestBed testBed) {
        String runtime = testBed.template().flatMap(values -> values.function(Variant.FIXED.handlerClass()))
                .map(FunctionSpec::runtime).filter(name -> JavaRuntime.wantedFeature(name).isPresent())
                .orElse(FunctionConfig.DEFAULT_RUNTIME);
        return testBed.isolation() == Isolation.PROCESS
                ? "process: a JVM per environment under AWS's runtime interface client, frozen (SIGSTOP) between"
                        + " invocations, killed (SIGKILL) on timeout; JVM profile " + testBed.jvmProfile().label()
                        + (testBed.jvmProfile() == JvmProfile.FAST ? " (class-data sharing archive, heap starting at 16 MB)"
                                : " (the managed runtime's flags only)") + "; "
                        + JavaRuntime.forLambdaRuntime(runtime, Variant.CLASS_FILE_RELEASE).describe()
                : "classloader: a class loader and threads per environment in one JVM, not frozen between invocations;"
                        + " " + runtime + " emulated on this JVM (Java " + Runtime.version().feature() + ")";
    }

    /** A usage error (exit code 2) when the condition does not hold. */
    static void require(CommandSpec spec, boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
