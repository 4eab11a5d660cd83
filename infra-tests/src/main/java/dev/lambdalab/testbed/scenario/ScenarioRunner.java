package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.lambda.Isolation;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxyKind;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs scenarios on a {@link TestBed}, one at a time, each from a clean slate. */
public final class ScenarioRunner {

    /** Environment variable that makes a missing PgBouncer a failure instead of a skip (CI sets it). */
    public static final String REQUIRE_PGBOUNCER_VARIABLE = "TESTBED_REQUIRE_PGBOUNCER";

    private final TestBed testBed;
    private final FunctionHost host;
    private Duration sampleInterval = Duration.ofMillis(50);
    private ProxyKind proxyKind;

    /** Scenarios on the test bed, functions run by the emulator. */
    public ScenarioRunner(TestBed testBed) {
        this(testBed, new EmulatorHost(testBed));
    }

    /** Scenarios on the test bed, functions run by the given host (LocalStack in the Docker tier). */
    public ScenarioRunner(TestBed testBed, FunctionHost host) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
        this.host = Objects.requireNonNull(host, "host");
    }

    /** The proxy of the proxy scenarios (default: the test bed's). */
    public ScenarioRunner withProxy(ProxyKind kind) {
        this.proxyKind = Objects.requireNonNull(kind, "kind");
        return this;
    }

    /** The proxy the proxy scenarios run behind. */
    public ProxyKind proxyKind() {
        return proxyKind == null ? testBed.proxyKind() : proxyKind;
    }

    public ScenarioRunner withSampleInterval(Duration interval) {
        this.sampleInterval = Objects.requireNonNull(interval, "interval");
        return this;
    }

    /** True when CI demands the proxy scenarios ({@value #REQUIRE_PGBOUNCER_VARIABLE}=1). */
    public static boolean pgBouncerRequired() {
        String value = System.getenv(REQUIRE_PGBOUNCER_VARIABLE);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    /** Runs a scenario without progress reports. */
    public ScenarioResult run(Scenario scenario) throws InterruptedException {
        return run(scenario, done -> { });
    }

    /**
     * Runs a scenario: sets the role's limit, starts the proxy if needed, drives the load while sampling
     * connections, then ends the function's environments and resets the role's connections.
     *
     * @param progress called with the number of requests answered, about every 250 ms
     */
    public ScenarioResult run(Scenario scenario, IntConsumer progress) throws InterruptedException {
        ProxyKind kind = proxyKind();
        if (scenario.target() == Target.PROXY && !testBed.proxyAvailable(kind)) {
            String reason = testBed.proxyUnavailableReason();
            if (pgBouncerRequired()) {
                throw new IllegalStateException(reason + "; " + REQUIRE_PGBOUNCER_VARIABLE + " demands the proxy scenarios");
            }
            return ScenarioResult.skipped(scenario, reason);
        }
        if (scenario.snapStart() != SnapStart.OFF && testBed.isolation() != Isolation.PROCESS) {
            return ScenarioResult.skipped(scenario, "SnapStart needs the process isolation: --isolation process");
        }
        if (scenario.snapStart() != SnapStart.OFF && kind != ProxyKind.RDS_PROXY) {
            return ScenarioResult.skipped(scenario, "the SnapStart scenarios run behind the RDS Proxy emulator");
        }
        if (scenario.showsPinning() && kind != ProxyKind.RDS_PROXY) {
            return ScenarioResult.skipped(scenario, "PgBouncer does not pin: this scenario shows what RDS Proxy does, with"
                    + " --proxy rds-proxy");
        }
        if (scenario.iamAuthentication() && kind != ProxyKind.RDS_PROXY) {
            return ScenarioResult.skipped(scenario, "PgBouncer has no IAM authentication: this scenario runs behind the"
                    + " RDS Proxy emulator, with --proxy rds-proxy");
        }
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(scenario.roleConnectionLimit());
        Proxy proxy = scenario.target() != Target.PROXY ? null : scenario.iamAuthentication()
                ? testBed.startIamProxy(scenario.proxy()) : testBed.startProxy(kind, scenario.proxy());
        try {
            FunctionHost.Deployment function = host.deploy(scenario.variant(), scenario, proxy);
            ConnectionSampler sampler = new ConnectionSampler(testBed.lab(), proxy,
                    sampleInterval);
            LoadResult load;
            List<ConnectionSampler.Sample> samples;
            ScenarioResult.Observed observed;
            String snapStartSummary;
            long sharedIds;
            AtomicInteger peakFrozen = new AtomicInteger();
            try (function; sampler) {
                sampler.start();
                // Only SnapStart scenarios compare the ids the function reports: reading every answer's JSON is
                // work the others' load does not need.
                SnapStartIds ids = new SnapStartIds();
                LoadDriver driver = new LoadDriver(scenario.snapStart() == SnapStart.OFF ? function::invoke
                        : event -> ids.record(function.invoke(event)), scenario.variant().path());
                Thread reporter = progressReporter(driver, progress, function, peakFrozen);
                try {
                    load = driver.run(scenario.load());
                } finally {
                    reporter.interrupt();
                }
                samples = sampler.stop();
                peakFrozen.accumulateAndGet(function.connectionsHeldByFrozenEnvironments(), Math::max);
                observed = new ScenarioResult.Observed(function.environmentsCreated(), function.isolation(),
                        peakFrozen.get(), function.clockLeapWarnings(), function.peakInFlightPerEnvironment(),
                        function.failedInitsByCause());
                snapStartSummary = function.snapStartSummary();
                sharedIds = ids.requestsOfSharedIds();
            }
            ScenarioResult result = ScenarioResult.of(scenario, load, samples, proxy, observed);
            return scenario.snapStart() == SnapStart.OFF ? result
                    : result.withSnapStart(SnapStartScenarios.SHARED_ENVIRONMENT_ID, sharedIds, snapStartSummary);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            testBed.resetConnections();
        }
    }

    /** Reports progress and samples the connections frozen environments hold, every 250 ms. */
    private static Thread progressReporter(LoadDriver driver, IntConsumer progress, FunctionHost.Deployment function,
            AtomicInteger peakFrozen) {
        Thread reporter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(250);
                    progress.accept(driver.completed());
                    peakFrozen.accumulateAndGet(function.connectionsHeldByFrozenEnvironments(), Math::max);
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "progress");
        reporter.setDaemon(true);
        reporter.start();
        return reporter;
    }
}
