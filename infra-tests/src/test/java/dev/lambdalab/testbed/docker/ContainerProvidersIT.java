package dev.lambdalab.testbed.docker;

import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.scenario.StandardScenarios;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.support.ScenarioChecks;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The test bed's container providers (TESTBED_CONTAINERS=1, --containers): PostgreSQL and PgBouncer in
 * containers, the functions in the emulator; the same scenarios and numbers as with the embedded ones.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerProvidersIT {

    private static final int LIMIT = 10;
    private static TestBed testBed;

    @BeforeAll
    static void start() {
        testBed = TestBed.containers(LIMIT);
    }

    @AfterAll
    static void stop() {
        if (testBed != null) {
            testBed.close();
        }
    }

    private static Scenario scenario(String name) {
        return new StandardScenarios(LIMIT, 2 * LIMIT, 5 * LIMIT, 100, 50, ProxySettings.DEFAULTS, Set.of(Variant.values()),
                Set.of(Target.values())).scenarios().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void brokenDirectFailsAgainstThePostgresContainer() throws Exception {
        ScenarioChecks.brokenDirectFails(new ScenarioRunner(testBed).run(scenario("broken-direct")), LIMIT);
    }

    @Test
    void fixedProxyHoldsBehindThePgBouncerContainer() throws Exception {
        ScenarioChecks.fixedProxyHolds(new ScenarioRunner(testBed).run(scenario("fixed-proxy")));
    }

    @Test
    void brokenProxyFillsThePgBouncerContainersClientSide() throws Exception {
        ScenarioChecks.brokenProxyFillsTheClientSide(new ScenarioRunner(testBed).run(scenario("broken-proxy")),
                ProxySettings.DEFAULTS.maxClientConnections());
    }
}
