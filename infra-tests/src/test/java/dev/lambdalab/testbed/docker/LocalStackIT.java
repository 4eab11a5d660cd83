package dev.lambdalab.testbed.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.scenario.StandardScenarios;
import dev.lambdalab.testbed.Target;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.support.ScenarioChecks;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;

/**
 * The reproduction in real Lambda containers: PostgreSQL (CONNECTION LIMIT 10) and PgBouncer as RDS Proxy
 * in containers, functions.jar deployed to LocalStack's Lambda, invoked concurrently through the SDK. The
 * same scenarios and assertions as the emulator tier. Skipped, with the reason in the report, without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIT {

    private static final int LIMIT = 10;
    private static TestBed testBed;
    private static LocalStackContainer localStack;
    private static LocalStackHost host;

    @BeforeAll
    static void start() throws Exception {
        testBed = TestBed.containers(LIMIT);
        localStack = LocalStackSupport.container(testBed.network().orElseThrow());
        localStack.start();
        host = new LocalStackHost(localStack, testBed, Path.of("../functions/target/functions.jar"),
                Path.of("../template.yaml"));
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
        if (localStack != null) {
            localStack.stop();
        }
        if (testBed != null) {
            testBed.close();
        }
    }

    /** The standard matrix with a load a laptop's Docker can carry: every caller is a Java Lambda container. */
    private static Scenario scenario(String name) {
        StandardScenarios matrix = new StandardScenarios(LIMIT, 2 * LIMIT, 2 * LIMIT, 60, 50, ProxySettings.DEFAULTS,
                Set.of(Variant.values()), Set.of(Target.values()));
        Scenario scenario = matrix.scenarios().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        return Scenario.builder(scenario.name() + "-localstack").description(scenario.description())
                .variant(scenario.variant()).target(scenario.target())
                .load(Load.closedLoop(scenario.load().peakConcurrency(), 60, 50))
                .roleConnectionLimit(LIMIT).proxy(scenario.proxy()).expect(scenario.expected()).build();
    }

    @Test
    void brokenFunctionInLambdaContainersFailsWithTheRoleLimit() throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed, host).run(scenario("broken-direct"));

        ScenarioChecks.brokenDirectFails(result, LIMIT);
    }

    @Test
    void fixedFunctionInLambdaContainersBehindTheProxyHolds() throws Exception {
        ScenarioResult result = new ScenarioRunner(testBed, host).run(scenario("fixed-proxy"));

        ScenarioChecks.fixedProxyHolds(result);
        assertThat(result.answers().ok()).as("answered with credentials read from Secrets Manager at init").isPositive();
    }
}
