package dev.lambdalab.testbed.scenario;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.lambdalab.testbed.ExecutionModel;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.Proxy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of one scenario: the {@code scenarios[]} element of the report's JSON, in five groups that the JSON
 * writes flat (docs/report-schema.md documents every field, and a test keeps the two equal): what ran
 * ({@link Setup}), what the callers got ({@link Answers}), the connections ({@link Connections}), the execution
 * environments ({@link Environments}) and the verdict ({@link Outcome}).
 *
 * @param name scenario name
 * @param description what it shows
 * @param setup what ran, against what limits
 * @param answers what the callers got
 * @param connections connections on the server and at the proxy
 * @param environments the execution environments
 * @param outcome what was expected and what happened
 * @param timeline samples as [elapsedMs, dbConnections, proxyClientConnections or -1]
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScenarioResult(String name, String description, @JsonUnwrapped Setup setup,
        @JsonUnwrapped Answers answers, @JsonUnwrapped Connections connections,
        @JsonUnwrapped Environments environments, @JsonUnwrapped Outcome outcome, List<int[]> timeline) {

    /**
     * What ran, against what limits.
     *
     * @param variant broken, fixed, fixed-snapstart or default-pool
     * @param target direct or proxy
     * @param executionModel classic Lambda (one request at a time per environment) or Managed Instances
     * @param isolation classloader, process, or the host's own (lambda)
     * @param proxy which proxy ran (rds-proxy or pgbouncer), or null without one
     * @param concurrency largest number of concurrent callers
     * @param requests requests sent
     * @param holdMs how long each request held its connection
     * @param roleConnectionLimit the application role's CONNECTION LIMIT
     * @param reservedConcurrency the function's reserved concurrency, or null
     * @param proxyDatabaseConnections the proxy's database connections (MaxConnectionsPercent x limit), or null
     */
    public record Setup(Variant variant, Target target, ExecutionModel executionModel, String isolation, String proxy,
            int concurrency, int requests,
            int holdMs, int roleConnectionLimit, Integer reservedConcurrency, Integer proxyDatabaseConnections) {
    }

    /**
     * What the callers got.
     *
     * @param ok requests answered 2xx
     * @param errors failed requests by cause
     * @param errorDetails failed requests by cause, with what lay behind a pool timeout
     * @param throttled requests refused with 429
     * @param latencyMs latency percentiles of requests that reached a function
     * @param throughputPerSec successful requests per second over the run
     * @param durationMs how long the load ran
     * @param poolWaits requests whose handler waited for its pool's connection (a millisecond or more, or a pool
     *     timeout)
     */
    public record Answers(long ok, Map<String, Long> errors, Map<String, Long> errorDetails, long throttled,
            Latency latencyMs, double throughputPerSec, long durationMs, long poolWaits) {

        /** What the callers of this load got. */
        public static Answers of(LoadResult load) {
            return new Answers(load.ok(), load.errorsByCause(), load.errorsByDetail(), load.throttled(),
                    new Latency(load.latencyMillis(50), load.latencyMillis(95), load.latencyMillis(99)),
                    Math.round(load.throughputPerSecond() * 10) / 10.0, load.wallMillis(), load.poolWaits());
        }

        /** These answers with more errors: a defect no request reported, counted under its cause and detail. */
        Answers plus(Map<String, Long> moreErrors, Map<String, Long> moreDetails) {
            Map<String, Long> allErrors = new TreeMap<>(errors);
            Map<String, Long> allDetails = new TreeMap<>(errorDetails);
            moreErrors.forEach((cause, count) -> allErrors.merge(cause, count, Long::sum));
            moreDetails.forEach((detail, count) -> allDetails.merge(detail, count, Long::sum));
            return new Answers(ok, Map.copyOf(allErrors), Map.copyOf(allDetails), throttled, latencyMs,
                    throughputPerSec, durationMs, poolWaits);
        }

        @JsonIgnore
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Latency percentiles in milliseconds. */
    public record Latency(double p50, double p95, double p99) {
    }

    /**
     * Connections on the server and at the proxy, as the samplers saw them.
     *
     * @param peakDbConnections most connections of the application role on the server at a sample
     * @param peakClientConnections most client connections the proxy held at a sample, or null without proxy
     * @param peakConnectionsHeldByFrozenEnvironments most connections held by frozen environments at a sample
     *     (process isolation; 0 otherwise)
     * @param pinnedSessions most database connections pinned to a client session at a sample (RDS Proxy's
     *     DatabaseConnectionsCurrentlySessionPinned), or null without a proxy
     * @param pinReasons sessions pinned during the run, by reason (empty behind PgBouncer, which never pins)
     */
    public record Connections(int peakDbConnections, Integer peakClientConnections,
            int peakConnectionsHeldByFrozenEnvironments, Integer pinnedSessions, Map<String, Long> pinReasons) {
    }

    /**
     * The execution environments.
     *
     * @param created environments created (the JSON's {@code environments})
     * @param coldStarts environments that answered at least once (their init succeeded)
     * @param timeouts invocations that ran past the function timeout
     * @param distinctBackendPids PostgreSQL backends that served successful requests
     * @param clockLeapWarnings HikariCP "Thread starvation or clock leap detected" lines the functions logged
     * @param peakInFlightPerEnvironment the most invocations one environment ran at once (threads busy): 1 on classic
     *     Lambda, up to PerExecutionEnvironmentMaxConcurrency on Managed Instances; -1 when the host cannot tell
     */
    public record Environments(@JsonProperty("environments") long created, long coldStarts, long timeouts,
            long distinctBackendPids, long clockLeapWarnings, int peakInFlightPerEnvironment) {
    }

    /**
     * What the host saw of the function during the run, besides the callers' answers.
     *
     * @param environmentsCreated environments created, or -1 when the host cannot tell
     * @param isolation how the host isolates environments
     * @param peakFrozenConnections most connections frozen environments held at a sample
     * @param clockLeapWarnings HikariCP's clock-leap warnings in the functions' log
     * @param peakInFlightPerEnvironment the most invocations one environment ran at once, or -1
     * @param failedInitsByCause environments whose init failed, by cause
     */
    record Observed(long environmentsCreated, String isolation, int peakFrozenConnections, long clockLeapWarnings,
            int peakInFlightPerEnvironment, Map<String, Long> failedInitsByCause) {
    }

    /**
     * What the scenario is meant to show, what it showed, and the verdict.
     *
     * @param expected HOLDS or FAILS
     * @param observed HOLDS (no errors), FAILS or SKIPPED
     * @param verdict as expected, UNEXPECTED or skipped
     * @param skipped why the scenario did not run, or null
     */
    public record Outcome(Scenario.Expectation expected, String observed, Verdict verdict, String skipped) {

        /** The outcome of a run with this many errors. */
        public static Outcome of(Scenario.Expectation expected, long errors) {
            Scenario.Expectation seen = errors == 0 ? Scenario.Expectation.HOLDS : Scenario.Expectation.FAILS;
            return new Outcome(expected, seen.name(), Verdict.of(expected, seen), null);
        }
    }

    /** True when it ran and showed what it is meant to. */
    public boolean asExpected() {
        return outcome.skipped() == null && outcome.verdict() == Verdict.AS_EXPECTED;
    }

    /** The error count of {@link #answers()}. */
    public long errorCount() {
        return answers.errorCount();
    }

    /**
     * The result of a run.
     *
     * @param environmentsCreated environments the host created, or -1 when it cannot tell: then the distinct
     *     environment ids of the answers count
     */
    static ScenarioResult of(Scenario scenario, LoadResult load, List<ConnectionSampler.Sample> samples, Proxy proxy,
            Observed observed) {
        long environmentsCreated = observed.environmentsCreated();
        boolean withProxy = proxy != null;
        List<int[]> timeline = samples.stream()
                .map(s -> new int[] {(int) s.elapsedMillis(), s.databaseConnections(), s.proxyClients()}).toList();
        int peakDb = samples.stream().mapToInt(ConnectionSampler.Sample::databaseConnections).max().orElse(0);
        Integer peakClients = withProxy
                ? samples.stream().mapToInt(ConnectionSampler.Sample::proxyClients).max().orElse(0) : null;
        Integer pinned = withProxy
                ? Math.max(0, samples.stream().mapToInt(ConnectionSampler.Sample::proxyPinned).max().orElse(0)) : null;
        // On Managed Instances no caller waits for an environment's init, so a failed one reaches no answer: it counts
        // as an error of its own (INIT_ERROR, with its cause as the detail), as SnapStart's shared ids do.
        Map<String, Long> failedInits = scenario.executionModel() == ExecutionModel.MANAGED_INSTANCES
                ? observed.failedInitsByCause() : Map.of();
        Map<String, Long> initErrors = failedInits.isEmpty() ? Map.of()
                : Map.of(FAILED_INIT, failedInits.values().stream().mapToLong(Long::longValue).sum());
        Map<String, Long> initDetails = new TreeMap<>();
        failedInits.forEach((cause, count) -> initDetails.put(FAILED_INIT + " (" + cause + ")", count));
        Answers answers = Answers.of(load).plus(initErrors, initDetails);
        return new ScenarioResult(scenario.name(), scenario.description(),
                setup(scenario, observed.isolation(), withProxy ? proxy.kind().label() : null, load.requests(),
                        withProxy ? proxy.poolSize() : null),
                answers,
                new Connections(peakDb, peakClients, observed.peakFrozenConnections(), pinned,
                        withProxy ? proxy.pinReasons() : Map.of()),
                new Environments(environmentsCreated >= 0 ? environmentsCreated : load.distinctEnvironments(),
                        load.distinctEnvironments(), load.errorsByCause().getOrDefault("TIMEOUT", 0L),
                        load.distinctBackendPids(), observed.clockLeapWarnings(), observed.peakInFlightPerEnvironment()),
                Outcome.of(scenario.expected(), answers.errorCount()), timeline);
    }

    /** The cause under which a failed environment init counts on Managed Instances. */
    public static final String FAILED_INIT = "INIT_ERROR";

    private static Setup setup(Scenario scenario, String isolation, String proxy, int requests,
            Integer proxyDatabaseConnections) {
        return new Setup(scenario.variant(), scenario.target(), scenario.executionModel(), isolation, proxy,
                scenario.load().peakConcurrency(), requests, scenario.load().holdMillis(),
                scenario.roleConnectionLimit(), scenario.reservedConcurrency(), proxyDatabaseConnections);
    }

    /**
     * A SnapStart run: requests answered under an environment id that several copies reported count as
     * errors of {@code cause} (a copy that is not unique is a defect even when its request succeeded), and
     * the measured Init and Restore Durations join the description.
     */
    ScenarioResult withSnapStart(String cause, long sharedIdRequests, String summary) {
        Map<String, Long> shared = sharedIdRequests > 0 ? Map.of(cause, sharedIdRequests) : Map.of();
        Answers counted = answers.plus(shared, shared);
        String text = summary.isEmpty() ? description : description + " Measured: " + summary + ".";
        return new ScenarioResult(name, text, setup, counted, connections, environments,
                Outcome.of(outcome.expected(), counted.errorCount()), timeline);
    }

    static ScenarioResult skipped(Scenario scenario, String reason) {
        return new ScenarioResult(scenario.name(), scenario.description(), setup(scenario, null, null, 0, null),
                new Answers(0, Map.of(), Map.of(), 0, new Latency(0, 0, 0), 0, 0, 0),
                new Connections(0, null, 0, null, Map.of()), new Environments(0, 0, 0, 0, 0, 0),
                new Outcome(scenario.expected(), "SKIPPED", Verdict.SKIPPED, reason), List.of());
    }
}
