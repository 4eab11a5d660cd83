package dev.lambdalab.testbed.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.Proxy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of one scenario: the {@code scenarios[]} element of the report's JSON. docs/report-schema.md
 * documents every field.
 *
 * @param name scenario name
 * @param description what it shows
 * @param variant broken or fixed
 * @param target direct or proxy
 * @param concurrency largest number of concurrent callers
 * @param requests requests sent
 * @param holdMs how long each request held its connection
 * @param roleConnectionLimit the application role's CONNECTION LIMIT
 * @param reservedConcurrency the function's reserved concurrency, or null
 * @param proxyDatabaseConnections the proxy's database connections (MaxConnectionsPercent x limit), or null
 * @param ok requests answered 2xx
 * @param errors failed requests by cause
 * @param errorDetails failed requests by cause, with what lay behind a pool timeout
 * @param throttled requests refused with 429
 * @param peakDbConnections most connections of the application role on the server at a sample
 * @param peakClientConnections most client connections the proxy held at a sample, or null without proxy
 * @param environments execution environments created
 * @param coldStarts environments that answered at least once (their init succeeded)
 * @param timeouts invocations that ran past the function timeout
 * @param distinctBackendPids PostgreSQL backends that served successful requests
 * @param latencyMs latency percentiles of requests that reached a function
 * @param throughputPerSec successful requests per second over the run
 * @param durationMs how long the load ran
 * @param expected HOLDS or FAILS, what the scenario is meant to show
 * @param observed HOLDS (no errors) or FAILS
 * @param verdict as expected, UNEXPECTED or skipped
 * @param skipped why the scenario did not run, or null
 * @param timeline samples as [elapsedMs, dbConnections, proxyClientConnections or -1]
 * @param isolation how the environments were isolated: classloader, process, or the host's own (lambda)
 * @param peakConnectionsHeldByFrozenEnvironments most connections held by frozen environments at a sample
 *     (process isolation; 0 otherwise)
 * @param clockLeapWarnings HikariCP "Thread starvation or clock leap detected" lines the functions logged
 * @param proxy which proxy ran (rds-proxy or pgbouncer), or null without one
 * @param pinnedSessions most database connections pinned to a client session at a sample (RDS Proxy's
 *     DatabaseConnectionsCurrentlySessionPinned), or null without a proxy
 * @param pinReasons sessions pinned during the run, by reason (empty behind PgBouncer, which never pins)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScenarioResult(String name, String description, String variant, String target, int concurrency,
        int requests, int holdMs, int roleConnectionLimit, Integer reservedConcurrency,
        Integer proxyDatabaseConnections, long ok, Map<String, Long> errors, Map<String, Long> errorDetails,
        long throttled, int peakDbConnections, Integer peakClientConnections, long environments, long coldStarts,
        long timeouts, long distinctBackendPids, Latency latencyMs, double throughputPerSec, long durationMs,
        String expected, String observed, Verdict verdict, String skipped, List<int[]> timeline, String isolation,
        int peakConnectionsHeldByFrozenEnvironments, long clockLeapWarnings, String proxy, Integer pinnedSessions,
        Map<String, Long> pinReasons) {

    /** Latency percentiles in milliseconds. */
    public record Latency(double p50, double p95, double p99) {
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean asExpected() {
        return skipped == null && verdict == Verdict.AS_EXPECTED;
    }

    /**
     * The result of a run.
     *
     * @param environmentsCreated environments the host created, or -1 when it cannot tell: then the distinct
     *     environment ids of the answers count
     */
    static ScenarioResult of(Scenario scenario, LoadResult load, List<ConnectionSampler.Sample> samples,
            long environmentsCreated, Proxy proxy, String isolation, int peakFrozenConnections,
            long clockLeapWarnings) {
        boolean withProxy = proxy != null;
        Integer proxyDatabaseConnections = withProxy ? proxy.poolSize() : null;
        long errorCount = load.errors();
        Scenario.Expectation seen = errorCount == 0 ? Scenario.Expectation.HOLDS : Scenario.Expectation.FAILS;
        String observed = seen.name();
        Verdict verdict = Verdict.of(scenario.expected(), seen);
        List<int[]> timeline = samples.stream()
                .map(s -> new int[] {(int) s.elapsedMillis(), s.databaseConnections(), s.proxyClients()}).toList();
        int peakDb = samples.stream().mapToInt(ConnectionSampler.Sample::databaseConnections).max().orElse(0);
        Integer peakClients = withProxy
                ? samples.stream().mapToInt(ConnectionSampler.Sample::proxyClients).max().orElse(0) : null;
        return new ScenarioResult(scenario.name(), scenario.description(), scenario.variant().label(),
                scenario.target().label(), scenario.load().peakConcurrency(), load.requests(),
                scenario.load().holdMillis(), scenario.roleConnectionLimit(), scenario.reservedConcurrency(),
                proxyDatabaseConnections, load.ok(), load.errorsByCause(), load.errorsByDetail(), load.throttled(),
                peakDb, peakClients, environmentsCreated >= 0 ? environmentsCreated : load.distinctEnvironments(),
                load.distinctEnvironments(), load.errorsByCause().getOrDefault("TIMEOUT", 0L), load.distinctBackendPids(),
                new Latency(load.latencyMillis(50), load.latencyMillis(95), load.latencyMillis(99)),
                Math.round(load.throughputPerSecond() * 10) / 10.0, load.wallMillis(), scenario.expected().name(),
                observed, verdict, null, timeline, isolation, peakFrozenConnections, clockLeapWarnings,
                withProxy ? proxy.kind().label() : null,
                withProxy ? Math.max(0, samples.stream().mapToInt(ConnectionSampler.Sample::proxyPinned).max().orElse(0))
                        : null,
                withProxy ? proxy.pinReasons() : Map.of());
    }

    /**
     * A SnapStart run: requests answered under an environment id that several copies reported count as
     * errors of {@code cause} (a copy that is not unique is a defect even when its request succeeded), and
     * the measured Init and Restore Durations join the description.
     */
    ScenarioResult withSnapStart(String cause, long sharedIdRequests, String summary) {
        Map<String, Long> allErrors = new TreeMap<>(errors);
        Map<String, Long> allDetails = new TreeMap<>(errorDetails);
        if (sharedIdRequests > 0) {
            allErrors.merge(cause, sharedIdRequests, Long::sum);
            allDetails.merge(cause, sharedIdRequests, Long::sum);
        }
        long errorTotal = allErrors.values().stream().mapToLong(Long::longValue).sum();
        Scenario.Expectation observation = errorTotal == 0 ? Scenario.Expectation.HOLDS : Scenario.Expectation.FAILS;
        String seen = observation.name();
        Verdict judged = Verdict.of(Scenario.Expectation.valueOf(expected), observation);
        String text = summary.isEmpty() ? description : description + " Measured: " + summary + ".";
        return new ScenarioResult(name, text, variant, target, concurrency, requests, holdMs, roleConnectionLimit,
                reservedConcurrency, proxyDatabaseConnections, ok, Map.copyOf(allErrors), Map.copyOf(allDetails),
                throttled, peakDbConnections, peakClientConnections, environments, coldStarts, timeouts,
                distinctBackendPids, latencyMs, throughputPerSec, durationMs, expected, seen, judged, skipped, timeline,
                isolation, peakConnectionsHeldByFrozenEnvironments, clockLeapWarnings, proxy, pinnedSessions, pinReasons);
    }

    static ScenarioResult skipped(Scenario scenario, String reason) {
        return new ScenarioResult(scenario.name(), scenario.description(), scenario.variant().label(),
                scenario.target().label(), scenario.load().peakConcurrency(), 0, scenario.load().holdMillis(),
                scenario.roleConnectionLimit(), scenario.reservedConcurrency(), null, 0, Map.of(), Map.of(), 0, 0,
                null, 0, 0, 0, 0, new Latency(0, 0, 0), 0, 0, scenario.expected().name(), "SKIPPED", Verdict.SKIPPED,
                reason, List.of(), null, 0, 0, null, null, Map.of());
    }
}
