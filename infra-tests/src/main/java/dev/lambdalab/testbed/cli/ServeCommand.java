package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.serve.LabServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed serve}: the two functions behind a local HTTP API, with a live page, until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves GET /broken and GET /fixed on 127.0.0.1 like template.yaml's HTTP API, over the emulated"
                + " Lambda environments, with a live page of connections at / and its data at /metrics.",
            "Stops cleanly on Ctrl-C or SIGTERM (PgBouncer and PostgreSQL too)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3000",
            description = "Port on 127.0.0.1 (0 picks a free one; default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--role-limit", paramLabel = "N", defaultValue = "10",
            description = "CONNECTION LIMIT of the application role (2..1000, default: ${DEFAULT-VALUE}).")
    private int roleLimit;

    @Option(names = "--fixed-reserved-concurrency", paramLabel = "N",
            description = "Reserved concurrency of the fixed function (0..10000; default: none, so that"
                    + " autocannon -c 100 sees no 429).")
    private Integer fixedReserved;

    @Option(names = "--broken-reserved-concurrency", paramLabel = "N",
            description = "Reserved concurrency of the broken function (0..10000; default: none).")
    private Integer brokenReserved;

    @Option(names = "--timeout-s", paramLabel = "S",
            description = "Function timeout in seconds (1..900, default: the template's, else 15).")
    private Integer timeoutSeconds;

    @Option(names = "--proxy-max-percent", paramLabel = "P",
            description = "RDS Proxy MaxConnectionsPercent: the proxy's database connections as a share of the role's"
                    + " limit (1..100, default: the template's, else 50).")
    private Integer proxyMaxPercent;

    @Option(names = "--proxy-max-clients", paramLabel = "N", defaultValue = "1000",
            description = "The proxy's client-connection limit (2..100000, default: ${DEFAULT-VALUE}).")
    private int proxyMaxClients;

    @Option(names = "--no-proxy", description = "Connect the fixed route directly, without the proxy.")
    private boolean noProxy;

    @Mixin
    private TestBedOptions database;

    @Option(names = "--verbose", description = "HikariCP's and the handlers' log lines on stderr.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        check(port >= 0 && port <= 65535, "--port must be from 0 to 65535, got " + port);
        check(roleLimit >= 2 && roleLimit <= 1000, "--role-limit must be from 2 to 1000, got " + roleLimit);
        check(fixedReserved == null || (fixedReserved >= 0 && fixedReserved <= 10_000),
                "--fixed-reserved-concurrency must be from 0 to 10000, got " + fixedReserved);
        check(brokenReserved == null || (brokenReserved >= 0 && brokenReserved <= 10_000),
                "--broken-reserved-concurrency must be from 0 to 10000, got " + brokenReserved);
        check(timeoutSeconds == null || (timeoutSeconds >= 1 && timeoutSeconds <= 900),
                "--timeout-s must be from 1 to 900, got " + timeoutSeconds);
        check(proxyMaxPercent == null || (proxyMaxPercent >= 1 && proxyMaxPercent <= 100),
                "--proxy-max-percent must be from 1 to 100, got " + proxyMaxPercent);
        check(proxyMaxClients >= 2 && proxyMaxClients <= 100_000,
                "--proxy-max-clients must be from 2 to 100000, got " + proxyMaxClients);
        database.validate(spec);
        Logging.configure(verbose, Path.of("reports", "serve.log"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("testbed serve: starting PostgreSQL ...");
        TestBed testBed = database.open(roleLimit);
        ProxySettings proxySettings = testBed.proxyDefaults().withMaxClientConnections(proxyMaxClients);
        if (proxyMaxPercent != null) {
            proxySettings = proxySettings.withMaxConnectionsPercent(proxyMaxPercent);
        }
        LabServer server = new LabServer(testBed).withPort(port)
                .withFixedReservedConcurrency(fixedReserved).withBrokenReservedConcurrency(brokenReserved)
                .withProxy(proxySettings);
        if (timeoutSeconds != null) {
            server.withTimeout(Duration.ofSeconds(timeoutSeconds));
        }
        if (noProxy) {
            server.withoutProxy();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Ctrl-C or SIGTERM: stop serving first; the test bed's own hook stops PgBouncer and PostgreSQL.
            server.close();
            stopped.countDown();
        }, "serve-shutdown"));
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            testBed.close();
            throw e;
        }
        out.println("Serving on " + server.baseUrl() + " (live page), routes GET /broken and GET /fixed");
        out.println("  database: " + testBed.description() + "; role app CONNECTION LIMIT " + roleLimit);
        out.println("  fixed route: " + (server.proxied() ? "through " + testBed.proxyDescription()
                : "direct (" + (noProxy ? "--no-proxy" : testBed.proxyUnavailableReason()) + ")"));
        out.println("  template: " + database.templateText());
        out.println("  try: npx autocannon -c 100 -d 30 " + server.baseUrl() + "/fixed");
        out.println("  stop with Ctrl-C");
        out.flush();
        stopped.await();
        return 0;
    }

    private void check(boolean condition, String message) {
        TestBedOptions.require(spec, condition, message);
    }
}
