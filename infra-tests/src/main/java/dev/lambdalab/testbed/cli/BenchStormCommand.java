package dev.lambdalab.testbed.cli;

import dev.lambdalab.testbed.bench.StormBenchmark;
import dev.lambdalab.testbed.bench.StormBenchmark.SetupCost;
import dev.lambdalab.testbed.bench.StormBenchmark.Step;
import dev.lambdalab.testbed.bench.StormModel;
import dev.lambdalab.testbed.TestBed;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed bench storm}: where storms of cold starts begin to fail, predicted by Little's law and measured. */
@Command(name = "storm", mixinStandardHelpOptions = true,
        description = {"Storms of cold starts against the fixed function behind the proxy: N callers at once, each with"
                + " a new environment, at each concurrency of --callers. Prints what Little's law predicts (the wait"
                + " for a database connection and whether the setup of a new connection fits the pool's"
                + " connectionTimeout) beside what happened, and first counts the database connections one new"
                + " environment borrows from the RDS Proxy emulator.",
            "The proxy is the RDS Proxy emulator, or PgBouncer with TESTBED_PROXY=pgbouncer."})
final class BenchStormCommand implements Callable<Integer> {

    /** What the benchmark writes to its JSON file. */
    record Report(String proxy, boolean allCold, SetupCost setupCost, StormModel model, int modelLimit,
            List<Step> steps) {
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--callers", paramLabel = "N[,N...]", split = ",",
            defaultValue = "100,150,155,160,170,200,300",
            description = "Concurrencies to storm at, ascending (each 1..2000; default: ${DEFAULT-VALUE}).")
    private List<Integer> callers;

    @Option(names = "--hold-ms", paramLabel = "MS", defaultValue = "50",
            description = "How long each request holds its database connection (1..5000, default: ${DEFAULT-VALUE}).")
    private int holdMillis;

    @Option(names = "--all-cold",
            description = "Storm from nothing: every caller gets a new environment at once, as autocannon against a"
                    + " fresh testbed serve does. Default: " + StormBenchmark.NEW_ENVIRONMENTS + " new environments"
                    + " join callers - " + StormBenchmark.NEW_ENVIRONMENTS + " warm ones that keep the proxy"
                    + " saturated, the model's case.")
    private boolean allCold;

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "reports/bench-storm.json",
            description = "Write the result here (default: ${DEFAULT-VALUE}).")
    private Path json;

    @Override
    public Integer call() throws Exception {
        for (int n : callers) {
            BenchCommand.check(spec, n >= 1 && n <= 2000, "--callers must each be from 1 to 2000, got " + n);
        }
        BenchCommand.check(spec, callers.stream().sorted().toList().equals(callers) && callers.stream().distinct()
                .count() == callers.size(), "--callers must be ascending without repeats, got " + callers);
        BenchCommand.check(spec, holdMillis >= 1 && holdMillis <= 5000, "--hold-ms must be from 1 to 5000, got "
                + holdMillis);
        Logging.configure(false, json.toAbsolutePath().resolveSibling("testbed.log"));
        PrintWriter out = spec.commandLine().getOut();
        try (TestBed testBed = TestBed.fromEnvironment(StormBenchmark.ROLE_LIMIT).closeOnShutdown()) {
            if (!testBed.proxyAvailable()) {
                throw new IllegalStateException(testBed.proxyUnavailableReason());
            }
            SetupCost cost = StormBenchmark.setupCost(testBed);
            out.printf(Locale.ROOT, "database connections one environment borrows from the RDS Proxy emulator: %d for a"
                    + " cold start's first request (%d for its connection's setup), %d for a warm request, %d for one"
                    + " after 700 ms idle%n", cost.coldStart(), cost.setupStatements(), cost.warm(), cost.warmAfterIdle());
            StormModel model = StormBenchmark.model(holdMillis, cost.setupStatements());
            out.printf(Locale.ROOT, "Little's law, %d database connections, hold %d ms: wait = callers x %d / %d - %d ms;"
                    + " cold starts fit while %d x wait <= connectionTimeout %d ms and wait <= ConnectionBorrowTimeout"
                    + " %d ms: up to %d callers (bound by %s)%n", model.databaseConnections(), holdMillis, holdMillis,
                    model.databaseConnections(), holdMillis, model.setupStatements(), model.poolTimeoutMillis(),
                    model.borrowTimeoutMillis(), model.limit(), model.bindingTimeout());
            out.printf(Locale.ROOT, "proxy: %s; %s%n", testBed.proxyDescription(), allCold
                    ? "every storm starts from no environment at all"
                    : StormBenchmark.NEW_ENVIRONMENTS + " new environments join warm callers in each storm");
            List<Step> steps = StormBenchmark.sweep(testBed, model, callers, allCold, step -> {
                out.printf(Locale.ROOT, "%4d callers: predicted wait %5.0f ms (%-5s): %d new environments, %d ok,"
                                + " errors %s; warm callers %s; peak database connections %d%n", step.callers(),
                        step.predictedWaitMillis(), step.predictedToHold() ? "holds" : "fails", step.coldStarts(),
                        step.coldOk(), step.coldErrors().isEmpty() ? "none" : step.coldErrors(), allCold ? "none"
                                : String.format(Locale.ROOT, "%d ok, errors %s, p50 %.0f ms", step.warmOk(),
                                        step.warmErrors().isEmpty() ? "none" : step.warmErrors(),
                                        step.warmP50Millis()), step.peakDbConnections());
                out.flush();
            });
            int firstFailure = steps.stream().filter(s -> !s.held()).mapToInt(Step::callers).findFirst().orElse(-1);
            out.printf(Locale.ROOT, "first storm with errors: %s; the model's limit: %d callers%n", firstFailure < 0
                    ? "none up to " + callers.get(callers.size() - 1) + " callers" : firstFailure + " callers",
                    model.limit());
            BenchCommand.writeJson(json, new Report(testBed.proxyKind().label(), allCold, cost, model, model.limit(), steps));
            return 0;
        }
    }
}
