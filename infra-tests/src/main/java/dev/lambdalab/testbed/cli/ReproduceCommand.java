package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.report.Report;
import dev.lambdalab.testbed.report.TextTable;
import dev.lambdalab.testbed.scenario.ManagedInstancesScenarios;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.scenario.SnapStartScenarios;
import dev.lambdalab.testbed.scenario.StandardScenarios;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed reproduce}: the side-by-side matrix on an embedded PostgreSQL. */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the broken and the fixed handler side by side, straight to the database and behind the proxy"
                + " (the RDS Proxy emulator, or PgBouncer with --proxy pgbouncer), on classic Lambda and on Lambda"
                + " Managed Instances, and prints one table.",
            "Exit code: 0 when every scenario behaves as expected, 1 when one does not or the run fails, 2 for a bad flag."})
final class ReproduceCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--role-limit", paramLabel = "N", description = "CONNECTION LIMIT of the application role,"
            + " the managed database's small limit (2..1000, default: ${DEFAULT-VALUE}).", defaultValue = "10")
    private int roleLimit;

    @Option(names = "--concurrency", paramLabel = "N", description = "Callers for the scenarios above the limit"
            + " (more than --role-limit, up to 5000; default: 2 x --role-limit).")
    private Integer concurrency;

    @Option(names = "--proxy-concurrency", paramLabel = "N", description = "Callers for the fixed function behind"
            + " the proxy (1..5000; default: 5 x --role-limit).")
    private Integer proxyConcurrency;

    @Option(names = "--requests", paramLabel = "N", description = "Requests per scenario (1..100000, default:"
            + " ${DEFAULT-VALUE}).", defaultValue = "150")
    private int requests;

    @Option(names = "--hold-ms", paramLabel = "MS", description = "How long each request holds its connection"
            + " (0..5000, default: ${DEFAULT-VALUE}).", defaultValue = "50")
    private int holdMillis;

    @Option(names = "--proxy-max-percent", paramLabel = "P", description = "RDS Proxy MaxConnectionsPercent: the"
            + " proxy's database connections as a share of the role's limit (1..100, default: the template's, else"
            + " 50).")
    private Integer proxyMaxPercent;

    @Option(names = "--proxy-borrow-timeout-s", paramLabel = "S", description = "RDS Proxy ConnectionBorrowTimeout,"
            + " PgBouncer's query_wait_timeout (0..300, RDS Proxy's range; default: the template's, else 5).")
    private Integer borrowTimeoutSeconds;

    @Option(names = "--proxy-max-clients", paramLabel = "N", description = "The proxy's client-connection limit (2..100000,"
            + " default: ${DEFAULT-VALUE}).", defaultValue = "200")
    private int proxyMaxClients;

    @Option(names = "--variants", paramLabel = "LIST", split = ",", converter = PairVariantConverter.class,
            description = "Which handlers: broken, fixed (default: both).")
    private List<Variant> variants;

    @Option(names = "--targets", paramLabel = "LIST", split = ",", description = "Where they connect: direct, proxy"
            + " (default: both).")
    private List<Target> targets;

    @Option(names = "--models", paramLabel = "LIST", split = ",", description = "Which execution models: classic (an"
            + " environment per concurrent request; the rows above) and managed-instances (Lambda Managed Instances:"
            + " " + ManagedInstancesScenarios.CALLERS + " callers on " + ManagedInstancesScenarios.MIN_ENVIRONMENTS
            + " to " + ManagedInstancesScenarios.MAX_ENVIRONMENTS + " environments of " + ManagedInstancesScenarios.THREADS
            + " threads, " + ManagedInstancesScenarios.HOLD_MS + " ms holds; --targets applies, --variants, --requests,"
            + " --hold-ms, --role-limit and the concurrency flags do not) (default: both).")
    private List<ExecutionModel> models;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON here (default:"
            + " ${DEFAULT-VALUE}).", defaultValue = "reports/reproduce.json")
    private Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report here (default:"
            + " ${DEFAULT-VALUE}).", defaultValue = "reports/reproduce.html")
    private Path html;

    @Option(names = "--snapstart", description = "Adds the SnapStart pair, fixed-snapstart-naive and fixed-snapstart,"
            + " behind the RDS Proxy emulator: real CRIU snapshots where this machine can take them (Linux, root,"
            + " infra-tests/snapstart/install-criu), else the hooks-only fallback, labelled so ($"
            + SnapStart.REQUIRE_VARIABLE + "=1 makes that an error). Needs --isolation process.")
    private boolean snapStart;

    @Mixin
    private TestBedOptions database;

    @Mixin
    private TemplateValuesOptions template;

    @Option(names = "--verbose", description = "HikariCP's and the handlers' log lines on stderr, stack traces of errors.")
    private boolean verbose;

    @Override
    public Integer call() throws Exception {
        database.validate(spec); // first: it reads the template, whose proxy settings the matrix starts from
        template.validate(spec);
        StandardScenarios matrix = matrix();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path logFile = Logging.besideReport(json);
        Logging.configure(verbose, logFile);

        Set<ExecutionModel> modelSet = models == null ? EnumSet.allOf(ExecutionModel.class) : EnumSet.copyOf(models);
        List<Scenario> scenarios = new ArrayList<>(modelSet.contains(ExecutionModel.CLASSIC) ? matrix.scenarios()
                : List.of());
        if (modelSet.contains(ExecutionModel.MANAGED_INSTANCES)) {
            ManagedInstancesScenarios managed = ManagedInstancesScenarios.defaults(matrix.proxy());
            managed.scenarios().stream().filter(scenario -> targetSet().contains(scenario.target()))
                    .forEach(scenarios::add);
        }
        check(!scenarios.isEmpty(), "--models, --variants and --targets leave no scenario to run");
        SnapStart snapStartMode = snapStartMode();
        scenarios.addAll(SnapStartScenarios.scenarios(snapStartMode, roleLimit, requests, holdMillis, matrix.proxy()));
        err.println("Lambda connection lab: testbed reproduce");
        err.println("  starting PostgreSQL ...");
        try (TestBed testBed = template.applyTo(database.open(roleLimit))) {
            Map<String, String> environment = describe(testBed, matrix);
            if (modelSet.contains(ExecutionModel.MANAGED_INSTANCES)) {
                environment.put("managed instances", ManagedInstancesScenarios.FLEET.describe() + ", target utilization "
                        + ManagedInstancesScenarios.FLEET.targetUtilizationPercent() + " %, scaler every 1 s, the fleet"
                        + " at most doubling within 30 s (AWS's 5 minutes, compressed); " + ManagedInstancesScenarios.HOLD_MS
                        + " ms holds, POOL_TIMEOUT_MS " + ManagedInstancesScenarios.POOL_TIMEOUT_MS + "; role limit "
                        + ManagedInstancesScenarios.ROLE_LIMIT + " (the default-pool rows: "
                        + ManagedInstancesScenarios.DEFAULT_POOL_ROLE_LIMIT + ")");
            }
            if (snapStartMode != SnapStart.OFF) {
                environment.put("snapstart", snapStartMode == SnapStart.SNAPSHOT
                        ? "CRIU snapshots: init once, every cold start restores a copy in its own PID namespace"
                        : "hooks only, labelled so: " + SnapStart.snapshotUnavailableReason().orElse("")
                                + "; the hooks run in Lambda's order but nothing is copied");
            }
            environment.forEach((key, value) -> err.println("  " + key + ": " + value));
            err.println();
            ScenarioRunner runner = new ScenarioRunner(testBed);
            List<ScenarioResult> results = new ArrayList<>();
            int index = 0;
            for (Scenario scenario : scenarios) {
                index++;
                String amount = scenario.load().requests() > 0 ? scenario.load().requests() + " requests"
                        : "for " + scenario.load().totalDuration().toSeconds() + " s";
                String head = String.format(Locale.ROOT, "[%d/%d] %-34s %s -> %s, %d callers, %s, hold %d ms",
                        index, scenarios.size(), scenario.name(), scenario.variant().label(), scenario.target().label(),
                        scenario.load().peakConcurrency(), amount, scenario.load().holdMillis());
                long start = System.nanoTime();
                boolean console = System.console() != null;
                ScenarioResult result = runner.run(scenario, done -> {
                    if (console) {
                        err.print("\r" + head + "  " + done + (scenario.load().requests() > 0
                                ? "/" + scenario.load().requests() : " answered"));
                        err.flush();
                    }
                });
                err.print((console ? "\r" : "") + head + "  " + (result.outcome().skipped() != null ? "skipped"
                        : String.format(Locale.ROOT, "%s in %.1f s", result.outcome().observed(),
                                (System.nanoTime() - start) / 1e9)));
                err.println();
                results.add(result);
            }
            out.println();
            out.print(TextTable.render(results));
            out.println();
            Report report = new Report(1, "testbed reproduce", OffsetDateTime.now(ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), environment, results);
            report.writeJson(json);
            report.writeHtml(html);
            out.println("Reports: " + json + " (JSON), " + html + " (HTML)" + (verbose ? "" : "; log: " + logFile));
            long unexpected = results.stream().filter(r -> r.outcome().skipped() == null && !r.asExpected()).count();
            if (unexpected > 0) {
                err.println("testbed: " + unexpected + " scenario(s) did not behave as expected (see RESULT)");
                return 1;
            }
            return 0;
        }
    }

    /** OFF without --snapstart; else SNAPSHOT where possible, HOOKS_ONLY where not (or an error when required). */
    private SnapStart snapStartMode() {
        if (!snapStart) {
            return SnapStart.OFF;
        }
        check(database.isolation() == Isolation.PROCESS, "--snapstart needs --isolation process: the runtime client"
                + " runs the SnapStart hooks");
        try {
            return SnapStart.bestAvailable();
        } catch (IllegalStateException e) {
            check(false, "--snapstart: " + e.getMessage());
            return SnapStart.OFF;
        }
    }

    private StandardScenarios matrix() {
        check(roleLimit >= 2 && roleLimit <= 1000, "--role-limit must be from 2 to 1000, got " + roleLimit);
        int over = concurrency == null ? 2 * roleLimit : concurrency;
        check(over > roleLimit && over <= 5000, "--concurrency must be more than --role-limit (" + roleLimit
                + ") and at most 5000, got " + over);
        int proxyCallers = proxyConcurrency == null ? 5 * roleLimit : proxyConcurrency;
        check(proxyCallers >= 1 && proxyCallers <= 5000, "--proxy-concurrency must be from 1 to 5000, got " + proxyCallers);
        check(requests >= 1 && requests <= 100_000, "--requests must be from 1 to 100000, got " + requests);
        check(holdMillis >= 0 && holdMillis <= 5000, "--hold-ms must be from 0 to 5000, got " + holdMillis);
        check(proxyMaxPercent == null || (proxyMaxPercent >= 1 && proxyMaxPercent <= 100),
                "--proxy-max-percent must be from 1 to 100, got " + proxyMaxPercent);
        check(borrowTimeoutSeconds == null || (borrowTimeoutSeconds >= 0 && borrowTimeoutSeconds <= 300),
                "--proxy-borrow-timeout-s must be from 0 to 300, got " + borrowTimeoutSeconds);
        check(proxyMaxClients >= 2 && proxyMaxClients <= 100_000,
                "--proxy-max-clients must be from 2 to 100000, got " + proxyMaxClients);
        Set<Variant> variantSet = variants == null ? EnumSet.copyOf(Variant.pair()) : EnumSet.copyOf(variants);
        Set<Target> targetSet = targetSet();
        ProxySettings proxy = template.values().map(values -> values.proxySettings(ProxySettings.DEFAULTS))
                .orElse(ProxySettings.DEFAULTS).withMaxClientConnections(proxyMaxClients);
        if (proxyMaxPercent != null) {
            proxy = proxy.withMaxConnectionsPercent(proxyMaxPercent);
        }
        if (borrowTimeoutSeconds != null) {
            proxy = proxy.withConnectionBorrowTimeout(Duration.ofSeconds(borrowTimeoutSeconds));
        }
        return new StandardScenarios(roleLimit, over, proxyCallers, requests, holdMillis, proxy, variantSet, targetSet);
    }

    private Set<Target> targetSet() {
        return targets == null ? EnumSet.allOf(Target.class) : EnumSet.copyOf(targets);
    }

    private Map<String, String> describe(TestBed testBed, StandardScenarios matrix) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("database", testBed.description() + "; role app CONNECTION LIMIT " + matrix.roleConnectionLimit());
        ProxySettings proxy = matrix.proxy();
        environment.put("proxy", testBed.proxyAvailable()
                ? testBed.proxyDescription() + " as RDS Proxy: MaxConnectionsPercent " + proxy.maxConnectionsPercent()
                        + " -> " + proxy.databaseConnections(matrix.roleConnectionLimit())
                        + " database connections, ConnectionBorrowTimeout " + proxy.connectionBorrowTimeout().toSeconds()
                        + " s, client limit " + proxy.maxClientConnections()
                : testBed.proxyUnavailableReason() + ": proxy scenarios are skipped");
        environment.put("functions", "broken: a new HikariCP pool per invocation with its defaults (10 connections);"
                + " fixed: one static pool per environment, of its concurrency (1 on classic Lambda), POOL_TIMEOUT_MS "
                + StandardScenarios.POOL_TIMEOUT_MS + " in fixed-direct-over-limit, else the default 3000;"
                + " default-pool (lmi- rows): AWS's Managed Instances example, one static pool of HikariCP's defaults");
        environment.put("template", template.text());
        environment.put("isolation", TestBedOptions.isolationText(testBed));
        environment.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return environment;
    }

    private void check(boolean condition, String message) {
        TestBedOptions.require(spec, condition, message);
    }
}
