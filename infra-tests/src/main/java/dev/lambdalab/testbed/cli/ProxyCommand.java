package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.rdsproxy.ProxyMetrics;
import dev.lambdalab.testbed.rdsproxy.RdsProxyEmulator;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code testbed proxy}: the RDS Proxy emulator in front of any PostgreSQL, so that any application (any
 * language, any driver) can be pointed at it to see whether it pins.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Put the RDS Proxy emulator in front of a PostgreSQL server and point your own application at it.",
            "Clients log in with the upstream's user and password (as RDS Proxy's secret holds them). Each pin is"
                    + " printed with RDS Proxy's wording and reason; the metrics every 10 s and at Ctrl-C."},
        footer = {"", "Sockets: io_uring where the kernel allows it, else epoll, else the JDK's selector;"
                + " TESTBED_PROXY_TRANSPORT=io_uring|epoll|nio picks one. The start-up line names the one in use."})
final class ProxyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--upstream", paramLabel = "URL", required = true,
            description = "The database: postgresql://USER:PASSWORD@HOST:PORT/DB, or without :PASSWORD with the"
                    + " password in PGPASSWORD (it is never printed).")
    private String upstream;

    @Option(names = "--port", paramLabel = "N", defaultValue = "6432",
            description = "Port on 127.0.0.1 (0 picks a free one; default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10",
            description = "Database connections the proxy may open: MaxConnectionsPercent of the target's limit"
                    + " (1..10000, default: ${DEFAULT-VALUE}).")
    private int maxConnections;

    @Option(names = "--borrow-timeout-s", paramLabel = "S", defaultValue = "120",
            description = "ConnectionBorrowTimeout (0..300, RDS Proxy's range; 0 fails a request that finds no free"
                    + " connection at once; default: ${DEFAULT-VALUE}, RDS Proxy's).")
    private int borrowTimeoutSeconds;

    @Option(names = "--idle-client-timeout-s", paramLabel = "S", defaultValue = "1800",
            description = "IdleClientTimeout (60..28800, RDS Proxy's range; default: ${DEFAULT-VALUE}, RDS Proxy's).")
    private int idleClientTimeoutSeconds;

    @Option(names = "--auth-timeout-s", paramLabel = "S", defaultValue = "60",
            description = "Drop a client that has not logged in after this long (1..3600, default: ${DEFAULT-VALUE},"
                    + " PostgreSQL's authentication_timeout; RDS Proxy documents none).")
    private int authTimeoutSeconds;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "1000",
            description = "Client connections accepted (2..100000, default: ${DEFAULT-VALUE}).")
    private int maxClients;

    @Option(names = "--init-query", paramLabel = "SQL", defaultValue = "",
            description = "InitQuery: run once on every new database connection (for example SET statements that"
                    + " would pin if the application sent them).")
    private String initQuery;

    @Option(names = "--require-tls", description = "RequireTLS: refuse clients that do not use TLS.")
    private boolean requireTls;

    @Option(names = "--metrics-interval-s", paramLabel = "S", defaultValue = "10",
            description = "Seconds between metric lines (1..3600, default: ${DEFAULT-VALUE}).")
    private int metricsIntervalSeconds;

    @Option(names = "--iam", description = "IAM authentication: clients log in over TLS with RDS auth tokens signed by"
            + " the keys in this shell's AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (those your application signs"
            + " with); the proxy logs in to the database with --upstream's password.")
    private boolean iam;

    @Option(names = "--verbose", description = "The emulator's log lines on stderr (else in reports/proxy.log).")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        check(port >= 0 && port <= 65_535, "--port must be from 0 to 65535, got " + port);
        check(maxConnections >= 1 && maxConnections <= 10_000,
                "--max-connections must be from 1 to 10000, got " + maxConnections);
        check(borrowTimeoutSeconds >= 0 && borrowTimeoutSeconds <= 300,
                "--borrow-timeout-s must be from 0 to 300, got " + borrowTimeoutSeconds);
        check(idleClientTimeoutSeconds >= 60 && idleClientTimeoutSeconds <= 28_800,
                "--idle-client-timeout-s must be from 60 to 28800, got " + idleClientTimeoutSeconds);
        check(authTimeoutSeconds >= 1 && authTimeoutSeconds <= 3600,
                "--auth-timeout-s must be from 1 to 3600, got " + authTimeoutSeconds);
        check(maxClients >= 2 && maxClients <= 100_000, "--max-clients must be from 2 to 100000, got " + maxClients);
        check(metricsIntervalSeconds >= 1 && metricsIntervalSeconds <= 3600,
                "--metrics-interval-s must be from 1 to 3600, got " + metricsIntervalSeconds);
        String iamKeyId = System.getenv("AWS_ACCESS_KEY_ID");
        String iamSecret = System.getenv("AWS_SECRET_ACCESS_KEY");
        check(!iam || (iamKeyId != null && !iamKeyId.isBlank() && iamSecret != null && !iamSecret.isBlank()),
                "--iam needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment: the keys the clients sign"
                        + " their tokens with");
        Upstream target = parseUpstream();
        Logging.configure(verbose, Path.of("reports", "proxy.log")); // pins and metrics go to stdout, once
        PrintWriter out = spec.commandLine().getOut();
        // The target's limit is maxConnections at 100 %: the flag names the proxy's connections directly.
        ProxySettings settings = new ProxySettings(100, Duration.ofSeconds(borrowTimeoutSeconds),
                Duration.ofSeconds(idleClientTimeoutSeconds), maxClients);
        RdsProxyEmulator proxy = new RdsProxyEmulator(target.host(), target.port())
                .withUser(target.user(), target.password())
                .withDatabase(target.database())
                .withSettings(settings)
                .withAuthenticationTimeout(Duration.ofSeconds(authTimeoutSeconds))
                .withServerConnectionLimit(maxConnections)
                .withInitQuery(initQuery)
                .withRequireTls(requireTls)
                .withPort(port);
        if (iam) {
            proxy.withIamAuthentication(iamKeyId, iamSecret);
        }
        proxy.withPinListener(line -> {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProxyMetrics last = proxy.metrics();
            synchronized (out) {
                out.println("at exit: " + last.line() + " sessionsPinned=" + last.sessionsPinned());
                out.flush();
            }
            proxy.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        out.println("Listening on " + proxy.host() + ":" + proxy.port());
        out.println("  upstream: " + target.user() + "@" + target.host() + ":" + target.port() + "/" + target.database()
                + "; " + maxConnections + " database connections, borrow timeout " + borrowTimeoutSeconds + " s"
                + (requireTls ? ", TLS required" : ", TLS offered")
                + (iam ? "; IAM authentication with tokens signed by " + iamKeyId + " (TLS only)" : ""));
        out.println("  try: psql \"postgresql://" + target.user() + "@" + proxy.host() + ":" + proxy.port() + "/"
                + target.database() + "\" -c \"SET work_mem = '8MB'\"");
        out.flush();
        ProxyMetrics previous = proxy.metrics();
        while (!stopped.await(metricsIntervalSeconds, TimeUnit.SECONDS)) {
            ProxyMetrics now = proxy.metrics();
            synchronized (out) {
                out.println(now.since(previous).line());
                out.flush();
            }
            previous = now;
        }
        return 0;
    }

    /** The upstream URL's parts; messages name the URL's problem, never its password. */
    record Upstream(String host, int port, String user, String password, String database) {
    }

    private Upstream parseUpstream() {
        URI uri;
        try {
            uri = URI.create(upstream.strip());
        } catch (IllegalArgumentException e) {
            throw usage("--upstream is not a URL: expected postgresql://USER:PASSWORD@HOST:PORT/DB");
        }
        check("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme()),
                "--upstream must start with postgresql://, got scheme " + uri.getScheme());
        String userInfo = uri.getRawUserInfo();
        check(userInfo != null && !userInfo.isEmpty(), "--upstream must name the user before the @:"
                + " postgresql://USER:PASSWORD@HOST:PORT/DB");
        check(uri.getHost() != null, "--upstream has no host: expected postgresql://USER:PASSWORD@HOST:PORT/DB");
        int colon = userInfo.indexOf(':');
        String user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
        // The password from the URL, else from PGPASSWORD as libpq reads it (keeps it off the command line).
        String password = colon >= 0 ? URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8)
                : System.getenv("PGPASSWORD");
        check(password != null && !password.isEmpty(), "--upstream must name USER:PASSWORD before the @, or PGPASSWORD"
                + " must be set: clients log in with them, as RDS Proxy's secret holds them");
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new Upstream(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, database);
    }

    private void check(boolean condition, String message) {
        TestBedOptions.require(spec, condition, message);
    }

    private RuntimeException usage(String message) {
        return new picocli.CommandLine.ParameterException(spec.commandLine(), message);
    }
}
