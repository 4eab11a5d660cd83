package dev.lambdalab.testbed.scenario;

import dev.lambdalab.db.FailureClassifier;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.FunctionMetrics;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.lambda.SnapStart;
import dev.lambdalab.testbed.proxy.Proxy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Functions run by the emulator in this JVM, against the test bed's database or proxy. */
public final class EmulatorHost implements FunctionHost {

    /** What HikariCP's housekeeper logs when it ran much later than scheduled (a freeze, a starved CPU). */
    public static final String CLOCK_LEAP = "Thread starvation or clock leap detected";

    /** The smallest memory a Managed Instances function can have. */
    static final int MANAGED_MEMORY_MB = 2048;

    private final TestBed testBed;

    public EmulatorHost(TestBed testBed) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
    }

    @Override
    public Deployment deploy(Variant variant, Scenario scenario, Proxy proxy) {
        EmulatedFunction function = testBed.function(variant, scenario.executionModel(),
                testBed.environment(proxy, scenario.settings()));
        if (scenario.functionTimeout() != null) {
            function.withTimeout(scenario.functionTimeout());
        }
        if (scenario.reservedConcurrency() != null) {
            function.withReservedConcurrency(scenario.reservedConcurrency());
        }
        function.withSnapStart(scenario.snapStart());
        if (scenario.managedInstances() != null) {
            // Managed Instances functions take at least 2 GB ("Lambda Managed Instances": minimum function size);
            // publishing starts the fleet before the first caller, as Lambda does before the version is ACTIVE.
            function.withManagedInstances(scenario.managedInstances()).withMemoryMb(Math.max(MANAGED_MEMORY_MB,
                    function.memoryMb())).publish();
        }
        return new Deployment() {
            @Override
            public Invocation invoke(Object event) {
                return function.invoke(event);
            }

            @Override
            public long environmentsCreated() {
                return function.metrics().environmentsCreated();
            }

            @Override
            public String isolation() {
                return function.isolation().label();
            }

            @Override
            public int connectionsHeldByFrozenEnvironments() {
                return function.metrics().connectionsHeldByFrozenEnvironments();
            }

            @Override
            public long clockLeapWarnings() {
                return function.log().lines().stream().filter(line -> line.text().contains(CLOCK_LEAP)).count();
            }

            @Override
            public int peakInFlightPerEnvironment() {
                return function.metrics().peakEnvironmentConcurrency();
            }

            @Override
            public Map<String, Long> failedInitsByCause() {
                try {
                    // Inits the scaler started during the run end within the run's count: at most 20 s more.
                    function.awaitInitsSettled(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Map<String, Long> byCause = new TreeMap<>();
                function.metrics().initFailures().forEach((failure, count) -> byCause.merge(
                        FailureClassifier.classify(new RuntimeException(failure)).cause().name(), count, Long::sum));
                return byCause;
            }

            @Override
            public String snapStartSummary() {
                if (function.snapStart() == SnapStart.OFF) {
                    return "";
                }
                FunctionMetrics metrics = function.metrics();
                String init = function.snapshotInitDuration()
                        .map(duration -> String.format(Locale.ROOT, "Init Duration %d ms once (INIT_REPORT), ",
                                duration.toMillis()))
                        .orElse("");
                return String.format(Locale.ROOT, "SnapStart %s: %sRestore Duration p50 %.0f ms, max %.0f ms over %d"
                                + " cold starts", function.snapStart().label(), init, metrics.initMillisP50(),
                        metrics.initMillisMax(), metrics.coldStarts());
            }

            @Override
            public void close() {
                function.close();
            }
        };
    }
}
