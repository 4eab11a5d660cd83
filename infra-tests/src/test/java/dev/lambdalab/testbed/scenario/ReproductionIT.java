package dev.lambdalab.testbed.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario.Expectation;
import dev.lambdalab.testbed.support.LabExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The side-by-side reproduction, scenario by scenario, with the numbers each must show. The role's
 * limit is 10 throughout; the proxy uses 50 % of it (5 database connections).
 */
@ExtendWith(LabExtension.class)
class ReproductionIT {

    private static final int LIMIT = 10;
    private static StandardScenarios matrix;

    @BeforeAll
    static void matrix() {
        matrix = new StandardScenarios(LIMIT, 2 * LIMIT, 5 * LIMIT, 100, 50, ProxySettings.DEFAULTS,
                Set.of(Variant.values()), Set.of(Target.values()));
    }

    private static Scenario scenario(String name) {
        return matrix.scenarios().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theBrokenHandlerAtTwiceTheLimitFailsWithTheRoleLimitAndFillsEverySlot(TestBed testBed) throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed).run(scenario("broken-direct"));

        long roleLimitOrPoolTimeout = result.errors().getOrDefault("ROLE_CONNECTION_LIMIT", 0L)
                + result.errors().getOrDefault("POOL_TIMEOUT", 0L);
        assertThat(roleLimitOrPoolTimeout).as("errors classified as role limit or pool timeout; all: %s", result.errors())
                .isPositive();
        assertThat(result.peakDbConnections()).as("peak connections of role app").isEqualTo(LIMIT);
        assertThat(result.verdict()).isEqualTo("as expected");
    }

    @Test
    void theFixedHandlerWithinTheLimitHoldsWithOneConnectionPerEnvironment(TestBed testBed) throws Exception {
        Scenario scenario = scenario("fixed-direct-within-limit");
        int callers = scenario.load().peakConcurrency();

        ScenarioResult result = new ScenarioRunner(testBed).run(scenario);

        assertThat(callers).isLessThanOrEqualTo(LIMIT);
        assertThat(result.errors()).as("errors").isEmpty();
        assertThat(result.ok()).isEqualTo(result.requests());
        assertThat(result.peakDbConnections()).as("peak connections").isLessThanOrEqualTo(callers);
        assertThat(result.distinctBackendPids()).as("backends that served").isLessThanOrEqualTo(callers);
        assertThat(result.environments()).isLessThanOrEqualTo(callers);
    }

    @Test
    void theFixedHandlerAboveTheLimitFailsWithPoolTimeoutsCausedByTheRoleLimit(TestBed testBed) throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed).run(scenario("fixed-direct-over-limit"));

        assertThat(result.errorDetails()).as("errors with their cause")
                .containsKey("POOL_TIMEOUT (ROLE_CONNECTION_LIMIT)");
        assertThat(result.peakDbConnections()).isEqualTo(LIMIT);
        assertThat(result.environments()).as("more environments than slots").isGreaterThan(LIMIT);
    }

    @Test
    void reservedConcurrencyAtTheLimitThrottlesInsteadOfFailing(TestBed testBed) throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed).run(scenario("fixed-direct-reserved-concurrency"));

        assertThat(result.throttled()).as("429s").isPositive();
        assertThat(result.errors()).as("database errors").isEmpty();
        assertThat(result.environments()).isLessThanOrEqualTo(LIMIT);
        assertThat(result.peakDbConnections()).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void theFixedHandlerBehindTheProxyHoldsAtFiveTimesTheLimit(TestBed testBed) throws Exception {
        LabExtension.assumePgBouncer();
        Scenario scenario = scenario("fixed-proxy");

        ScenarioResult result = new ScenarioRunner(testBed).run(scenario);

        assertThat(scenario.load().peakConcurrency()).isGreaterThanOrEqualTo(5 * LIMIT);
        assertThat(result.errors()).as("errors").isEmpty();
        assertThat(result.ok()).isEqualTo(result.requests());
        assertThat(result.peakDbConnections()).as("database connections, the proxy's maximum being %d",
                result.proxyDatabaseConnections()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
        assertThat(result.peakClientConnections()).as("client connections: one per environment")
                .isLessThanOrEqualTo((int) result.environments());
        assertThat(result.distinctBackendPids()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
    }

    @Test
    void theBrokenHandlerBehindTheProxyFillsItsClientSideButNotTheDatabase(TestBed testBed) throws Exception {
        LabExtension.assumePgBouncer();
        ScenarioResult result = new ScenarioRunner(testBed).run(scenario("broken-proxy"));

        assertThat(result.errors()).as("errors").containsKey("PROXY_CLIENT_LIMIT");
        assertThat(result.peakClientConnections()).as("client connections reach max_client_conn")
                .isGreaterThanOrEqualTo(ProxySettings.DEFAULTS.maxClientConnections() - 2);
        assertThat(result.peakDbConnections()).isLessThanOrEqualTo(result.proxyDatabaseConnections());
    }

    @Test
    void errorsStartWithTheTrafficSpikeNotBefore(TestBed testBed) throws Exception {
        long quietMillis = 1000;
        Load burst = Load.burst(2, Duration.ofMillis(quietMillis), 2 * LIMIT, Duration.ofMillis(1500),
                Duration.ZERO.plusMillis(1), 20);
        testBed.resetConnections();
        testBed.lab().setAppConnectionLimit(LIMIT);
        LoadResult result;
        try (var fixed = testBed.function(Variant.FIXED, testBed.environment(null, Map.of(
                "POOL_TIMEOUT_MS", StandardScenarios.POOL_TIMEOUT_MS,
                "POOL_VALIDATION_TIMEOUT_MS", StandardScenarios.POOL_VALIDATION_TIMEOUT_MS)))) {
            result = new LoadDriver(fixed::invoke, "/fixed").run(burst);
        } finally {
            testBed.resetConnections();
        }

        long errorsBefore = result.records().stream()
                .filter(r -> r.startMillis() < quietMillis && r.kind() == RequestRecord.Kind.ERROR).count();
        long okBefore = result.records().stream()
                .filter(r -> r.startMillis() < quietMillis && r.kind() == RequestRecord.Kind.OK).count();
        long errorsInSpike = result.records().stream()
                .filter(r -> r.startMillis() >= quietMillis && r.kind() == RequestRecord.Kind.ERROR).count();
        assertThat(okBefore).as("requests answered in the quiet phase").isPositive();
        assertThat(errorsBefore).as("errors in the quiet phase: 2 callers fit the limit").isZero();
        assertThat(errorsInSpike).as("errors once the spike brings more environments than slots").isPositive();
    }
}
