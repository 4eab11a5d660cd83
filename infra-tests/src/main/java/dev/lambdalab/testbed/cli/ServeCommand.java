package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.app.AppPlan;
import dev.lambdalab.testbed.app.LocalApp;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.serve.AppServer;
import dev.lambdalab.testbed.serve.AppVerdict;
import dev.lambdalab.testbed.serve.LabServer;
import dev.lambdalab.testbed.serve.LiveServer;
import dev.lambdalab.testbed.stack.AppTemplate;
import dev.lambdalab.testbed.stack.TemplateValues;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code testbed serve}: the lab's two functions, or with {@code -t} the functions of your SAM template, behind a
 * local HTTP API with a live page, until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Without -t: serves GET /broken and GET /fixed on 127.0.0.1 like template.yaml's HTTP API, over"
                + " the emulated Lambda environments.",
            "With -t FILE: serves every Java function of your SAM template at the routes of its HttpApi and Api events,"
                + " like sam local start-api, but under Lambda's scaling rules (an environment per concurrent request,"
                + " frozen between requests, reserved concurrency and 429, timeouts, SnapStart, Managed Instances),"
                + " against the test bed's PostgreSQL behind the RDS Proxy emulator. On Ctrl-C it prints a verdict per"
                + " function: environments, connections, pinned sessions and why, errors by cause, and the connection"
                + " budget at the template's concurrency.",
            "Both: a live page of connections at / and its data at /metrics. Stops cleanly on Ctrl-C or SIGTERM."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3000",
            description = "Port on 127.0.0.1 (0 picks a free one; default: ${DEFAULT-VALUE}).")
    private int port;

    @Mixin
    private AppRunOptions app;

    @Option(names = "--fixed-reserved-concurrency", paramLabel = "N",
            description = "Without -t: reserved concurrency of the fixed function (0..10000; default: none, so that"
                    + " autocannon -c 100 sees no 429).")
    private Integer fixedReserved;

    @Option(names = "--broken-reserved-concurrency", paramLabel = "N",
            description = "Without -t: reserved concurrency of the broken function (0..10000; default: none).")
    private Integer brokenReserved;

    @Option(names = "--proxy-max-percent", paramLabel = "P",
            description = "Without -t: RDS Proxy MaxConnectionsPercent, the proxy's database connections as a share of"
                    + " the role's limit (1..100, default: the template's, else 50).")
    private Integer proxyMaxPercent;

    @Option(names = "--proxy-max-clients", paramLabel = "N", defaultValue = "1000",
            description = "The proxy's client-connection limit (2..100000, default: ${DEFAULT-VALUE}).")
    private int proxyMaxClients;

    @Option(names = "--no-proxy", description = "Without -t: connect the fixed route directly, without the proxy.")
    private boolean noProxy;

    @Mixin
    private TestBedOptions database;

    @Option(names = "--verbose", description = "The functions' and the test bed's log lines on stderr.")
    private boolean verbose;

    /** The role limit of the lab's pair when --role-limit is not given. */
    static final int LAB_ROLE_LIMIT = 10;

    @Override
    public Integer call() throws Exception {
        check(port >= 0 && port <= 65535, "--port must be from 0 to 65535, got " + port);
        check(proxyMaxClients >= 2 && proxyMaxClients <= 100_000,
                "--proxy-max-clients must be from 2 to 100000, got " + proxyMaxClients);
        database.validate(spec, app.template != null);
        return app.template != null ? serveTemplate() : serveLab();
    }

    /** {@code serve -t}: the user's functions. */
    private int serveTemplate() throws InterruptedException {
        check(fixedReserved == null && brokenReserved == null && proxyMaxPercent == null && !noProxy, "with -t the"
                + " template sets reserved concurrency and the proxy's settings; use --parameter-overrides, or --proxy"
                + " none");
        check(!database.proxyPgBouncer(), "--proxy: a template's functions get the RDS Proxy emulator, or none");
        check(!database.isolationGiven() || database.isolation() == Isolation.PROCESS, "--isolation: your functions"
                + " run in process isolation (AWS's runtime interface client loads them)");
        AppTemplate template = app.template(spec);
        AppPlan plan = app.plan(spec, template, Optional.empty(), !database.proxyNone());
        Logging.configure(verbose, Path.of("reports", "serve.log"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("testbed serve: " + plan.template().file() + ": starting PostgreSQL ...");
        plan.refused().forEach(line -> err.println("  not served: " + line));
        plan.functions().forEach(f -> f.wiring().notes().forEach(note -> err.println("  " + f.function().logicalId()
                + ": " + note)));
        err.flush();
        TestBed testBed = database.open(LAB_ROLE_LIMIT);
        LocalApp running;
        AppServer server;
        try {
            running = LocalApp.start(plan, testBed, proxyMaxClients, line -> err.println("  " + line));
            server = new AppServer(running).withPort(port);
        } catch (RuntimeException e) {
            testBed.close();
            throw e;
        }
        running.notes().forEach(note -> err.println("  note: " + note));
        return serveUntilStopped(server, () -> {
            server.start();
            out.println("Serving " + plan.template().file().getFileName() + " on " + server.baseUrl()
                    + " (live page at /, data at /metrics)");
            for (String id : server.functionIds()) {
                running.spec(id).routes().forEach(route -> out.println("  " + route.routeKey() + " -> " + id));
                out.println("  POST " + AppServer.invokePath(id) + " -> " + id + " (Lambda's Invoke API)");
            }
            String first = server.functionIds().isEmpty() ? "/" : running.spec(server.functionIds().get(0)).routes()
                    .stream().findFirst().map(r -> r.examplePath()).orElse(AppServer.invokePath(server.functionIds()
                    .get(0)));
            out.println("  try: npx autocannon -c 100 -d 30 " + server.baseUrl() + first);
            out.println("  stop with Ctrl-C: a verdict per function follows");
        }, () -> {
            verdicts(server, out);
            running.close();
        }, testBed);
    }

    private static void verdicts(AppServer server, PrintWriter out) {
        List<AppVerdict> verdicts = AppVerdict.of(server);
        out.println();
        out.println("Verdicts (" + server.app().plan().template().file().getFileName() + ")");
        for (AppVerdict verdict : verdicts) {
            out.println(verdict.headline());
            verdict.lines().forEach(line -> out.println("  " + line));
        }
        out.flush();
    }

    /** {@code serve} without -t: the lab's two functions. */
    private int serveLab() throws InterruptedException {
        int roleLimit = app.roleLimit == null ? LAB_ROLE_LIMIT : app.roleLimit;
        check(roleLimit >= 2 && roleLimit <= 1000, "--role-limit must be from 2 to 1000, got " + roleLimit);
        check(fixedReserved == null || (fixedReserved >= 0 && fixedReserved <= 10_000),
                "--fixed-reserved-concurrency must be from 0 to 10000, got " + fixedReserved);
        check(brokenReserved == null || (brokenReserved >= 0 && brokenReserved <= 10_000),
                "--broken-reserved-concurrency must be from 0 to 10000, got " + brokenReserved);
        Integer timeoutSeconds = app.timeoutSeconds;
        check(timeoutSeconds == null || (timeoutSeconds >= 1 && timeoutSeconds <= 900),
                "--timeout-s must be from 1 to 900, got " + timeoutSeconds);
        check(proxyMaxPercent == null || (proxyMaxPercent >= 1 && proxyMaxPercent <= 100),
                "--proxy-max-percent must be from 1 to 100, got " + proxyMaxPercent);
        check(app.envVars == null && app.initSql == null && app.parameterOverrides.isEmpty(), "-n, --init-sql and"
                + " --parameter-overrides go with -t (your template)");
        Optional<TemplateValues> values = TemplateValuesOptions.defaults(spec);
        Logging.configure(verbose, Path.of("reports", "serve.log"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("testbed serve: starting PostgreSQL ...");
        TestBed testBed = TemplateValuesOptions.applyTo(database.open(roleLimit), values.orElse(null));
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
        return serveUntilStopped(server, () -> {
            server.start();
            out.println("Serving on " + server.baseUrl() + " (live page), routes GET /broken and GET /fixed");
            out.println("  database: " + testBed.description() + "; role app CONNECTION LIMIT " + roleLimit);
            out.println("  fixed route: " + (server.proxied() ? "through " + testBed.proxyDescription()
                    : "direct (" + (noProxy ? "--no-proxy" : testBed.proxyUnavailableReason()) + ")"));
            out.println("  template: " + TemplateValuesOptions.text(values.orElse(null), false));
            out.println("  try: npx autocannon -c 100 -d 30 " + server.baseUrl() + "/fixed");
            out.println("  stop with Ctrl-C");
        }, () -> { }, testBed);
    }

    /**
     * Starts the server and waits for Ctrl-C or SIGTERM; then stops serving first and runs {@code atStop}; the test
     * bed's own hook stops PgBouncer and PostgreSQL.
     */
    private static int serveUntilStopped(LiveServer server, Runnable start, Runnable atStop, TestBed testBed)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                atStop.run();
            } finally {
                server.close();
                stopped.countDown();
            }
        }, "serve-shutdown"));
        try {
            start.run();
        } catch (RuntimeException e) {
            server.close();
            testBed.close();
            throw e;
        }
        stopped.await();
        return 0;
    }

    private void check(boolean condition, String message) {
        TestBedOptions.require(spec, condition, message);
    }
}
