package dev.lambdalab.testbed.scenario;

import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.TestBed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.ProxyKind;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.support.LabExtension;
import dev.lambdalab.testbed.support.ScenarioChecks;
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
        ScenarioChecks.brokenDirectFails(new ScenarioRunner(testBed).run(scenario("broken-direct")), LIMIT);
    }

    @Test
    void theFixedHandlerWithinTheLimitHoldsWithOneConnectionPerEnvironment(TestBed testBed) throws Exception {
        Scenario scenario = scenario("fixed-direct-within-limit");
        int callers = scenario.load().peakConcurrency();

        ScenarioResult result = new ScenarioRunner(testBed).run(scenario);

        assertThat(callers).isLessThanOrEqualTo(LIMIT);
        ScenarioChecks.fixedWithinLimitHolds(result, callers);
    }

    @Test
    void theFixedHandlerAboveTheLimitFailsWithPoolTimeoutsCausedByTheRoleLimit(TestBed testBed) throws Exception {
        ScenarioChecks.fixedOverLimitFails(new ScenarioRunner(testBed).run(scenario("fixed-direct-over-limit")), LIMIT);
    }

    @Test
    void reservedConcurrencyAtTheLimitThrottlesInsteadOfFailing(TestBed testBed) throws Exception {
        ScenarioChecks.reservedConcurrencyThrottles(
                new ScenarioRunner(testBed).run(scenario("fixed-direct-reserved-concurrency")), LIMIT);
    }

    @Test
    void theFixedHandlerBehindTheRdsProxyEmulatorHoldsAtFiveTimesTheLimitWithoutPinning(TestBed testBed)
            throws Exception {
        Scenario scenario = scenario("fixed-proxy");

        ScenarioResult result = new ScenarioRunner(testBed).withProxy(ProxyKind.RDS_PROXY).run(scenario);

        assertThat(scenario.load().peakConcurrency()).isGreaterThanOrEqualTo(5 * LIMIT);
        assertThat(result.setup().proxy()).isEqualTo("rds-proxy");
        ScenarioChecks.fixedProxyHolds(result);
        assertThat(result.connections().pinnedSessions()).as("pinned sessions: the fixed handler sends no SET").isZero();
        assertThat(result.connections().pinReasons()).as("pin reasons").isEmpty();
    }

    @Test
    void theFixedHandlerWithPgjdbcsDefaultStartupPinsEveryDatabaseConnectionBehindRdsProxy(TestBed testBed)
            throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed).withProxy(ProxyKind.RDS_PROXY)
                .run(scenario("fixed-proxy-pinned"));

        assertThat(result.outcome().verdict()).as("verdict").isEqualTo(Verdict.AS_EXPECTED);
        assertThat(result.connections().pinnedSessions()).as("pinned sessions reach the proxy's maximum")
                .isEqualTo(result.setup().proxyDatabaseConnections());
        assertThat(result.connections().peakDbConnections()).as("database connections climb to the proxy's maximum")
                .isEqualTo(result.setup().proxyDatabaseConnections());
        assertThat(result.connections().pinReasons()).as("why").containsOnlyKeys("SESSION_SETTING");
        assertThat(result.answers().errors()).as("environments beyond the pinned ones time out").containsKey("POOL_TIMEOUT");
        assertThat(result.answers().ok()).as("the pinned environments still answer").isPositive();
    }

    @Test
    void theBrokenHandlerBehindTheRdsProxyEmulatorFillsItsClientSideButNotTheDatabase(TestBed testBed)
            throws Exception {
        ScenarioChecks.brokenProxyFillsTheClientSide(new ScenarioRunner(testBed).withProxy(ProxyKind.RDS_PROXY)
                .run(scenario("broken-proxy")), ProxySettings.DEFAULTS.maxClientConnections());
    }

    @Test
    void behindPgBouncerTheProxyScenariosGiveTheSameVerdictsAndThePinnedOneIsSkipped(TestBed testBed)
            throws Exception {
        LabExtension.assumePgBouncer(testBed);
        ScenarioRunner runner = new ScenarioRunner(testBed).withProxy(ProxyKind.PGBOUNCER);
        ScenarioResult fixed = runner.run(scenario("fixed-proxy"));
        assertThat(fixed.setup().proxy()).isEqualTo("pgbouncer");
        ScenarioChecks.fixedProxyHolds(fixed);
        ScenarioChecks.brokenProxyFillsTheClientSide(runner.run(scenario("broken-proxy")),
                ProxySettings.DEFAULTS.maxClientConnections());
        assertThat(runner.run(scenario("fixed-proxy-pinned")).outcome().skipped()).as("PgBouncer does not pin")
                .contains("PgBouncer does not pin");
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
