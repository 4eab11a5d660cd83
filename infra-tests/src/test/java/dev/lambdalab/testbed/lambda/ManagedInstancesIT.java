package dev.lambdalab.testbed.lambda;

import static dev.lambdalab.testbed.support.Http.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import dev.lambdalab.testbed.load.Load;
import dev.lambdalab.testbed.load.LoadDriver;
import dev.lambdalab.testbed.load.LoadResult;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.ManagedInstancesScenarios;
import dev.lambdalab.testbed.scenario.Scenario;
import dev.lambdalab.testbed.scenario.ScenarioResult;
import dev.lambdalab.testbed.scenario.ScenarioRunner;
import dev.lambdalab.testbed.scenario.Verdict;
import dev.lambdalab.testbed.support.LabExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lambda Managed Instances with the real handlers, against the real database and the RDS Proxy emulator, in both
 * isolations: the threads of one environment share the handler and its pool, publishing starts the minimum fleet,
 * traffic that outgrows the doubling rule meets 429s, and the reproduce rows give their verdicts.
 */
@ExtendWith(LabExtension.class)
class ManagedInstancesIT {

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private TestBed testBed;

    private TestBed on(TestBed shared, Isolation isolation) {
        if (isolation == Isolation.PROCESS) {
            LabExtension.assumeProcessIsolation();
        }
        this.testBed = shared.withIsolation(isolation);
        shared.resetConnections();
        return shared;
    }

    @AfterEach
    void backToClassLoaders() {
        callers.shutdownNow();
        if (testBed != null) {
            testBed.withIsolation(Isolation.CLASSLOADER);
            testBed.lab().setAppConnectionLimit(10);
            testBed.resetConnections();
        }
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void theThreadsOfOneEnvironmentShareOneHandlerAndOnePoolSizedForThem(Isolation isolation, TestBed shared)
            throws Exception {
        TestBed bed = on(shared, isolation);
        bed.lab().setAppConnectionLimit(20);
        try (EmulatedFunction fixed = bed.function(Variant.FIXED, bed.environment(null, Map.of()))
                .withManagedInstances(ManagedInstances.fixedFleet(1, 8)).withMemoryMb(2048)) {
            List<Future<Invocation>> running = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                running.add(callers.submit(() -> fixed.invoke(HttpApiEvents.get("/fixed", 500))));
            }
            Set<String> environments = new HashSet<>();
            Set<String> pools = new HashSet<>();
            Set<Integer> backends = new HashSet<>();
            for (Future<Invocation> call : running) {
                JsonNode answer = body(call.get(), 200);
                environments.add(answer.path("environmentId").asText());
                pools.add(answer.path("pool").path("name").asText());
                backends.add(answer.path("backendPid").asInt());
                assertThat(answer.path("poolsCreatedInEnvironment").asInt()).as("one pool per environment").isEqualTo(1);
                assertThat(answer.path("pool").path("total").asInt()).as("no more connections than threads")
                        .isLessThanOrEqualTo(8);
            }

            assertThat(environments).as("one environment served all eight").hasSize(1);
            assertThat(pools).as("the threads shared its one pool").hasSize(1);
            assertThat(backends).as("a pool sized for 8 threads (AWS_LAMBDA_MAX_CONCURRENCY) gave them 8 connections")
                    .hasSize(8);
            assertThat(fixed.metrics().peakEnvironmentConcurrency()).as("threads busy at once").isEqualTo(8);
        }
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void publishingStartsTheMinimumAndTrafficThatMoreThanDoublesMeetsThrottles(Isolation isolation, TestBed shared)
            throws Exception {
        TestBed bed = on(shared, isolation);
        bed.lab().setAppConnectionLimit(40);
        ManagedInstances fleet = ManagedInstances.defaults().withConcurrency(4).withEnvironments(2, 8)
                .withTiming(Duration.ofMillis(300), Duration.ofSeconds(60));
        try (EmulatedFunction fixed = bed.function(Variant.FIXED, bed.environment(null, Map.of()))
                .withManagedInstances(fleet).withMemoryMb(2048)) {
            fixed.publish();
            long atPublish = fixed.metrics().coldStarts();

            // 8 workers at publish; 32 callers: four times the fleet within a window that allows it to double once.
            LoadResult spike = new LoadDriver(fixed::invoke, "/fixed").run(Load.forDuration(32, Duration.ofSeconds(4), 100));

            assertThat(atPublish).as("MinExecutionEnvironments started before the first invocation").isEqualTo(2);
            assertThat(spike.throttled()).as("every worker busy: 429s, not queueing").isPositive();
            assertThat(spike.errors()).as("throttles, not errors").isZero();
            assertThat(fixed.metrics().coldStarts()).as("the fleet grew, at most to twice the 2 of the window's start")
                    .isBetween(3L, 4L);
            assertThat(fixed.metrics().peakEnvironmentConcurrency()).isEqualTo(4);
            assertThat(fixed.log().lines()).as("the scaler says why it stopped")
                    .anySatisfy(line -> assertThat(line.text()).contains("capped at 4: twice the 2 of 60 s ago"));
        }
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void theReproduceRowsGiveTheirVerdicts(Isolation isolation, TestBed shared) throws Exception {
        TestBed bed = on(shared, isolation);
        ManagedInstancesScenarios rows = new ManagedInstancesScenarios(ManagedInstancesScenarios.ROLE_LIMIT,
                Duration.ofSeconds(4), ProxySettings.DEFAULTS);
        Map<String, ScenarioResult> results = new java.util.LinkedHashMap<>();
        for (Scenario scenario : rows.scenarios()) {
            results.put(scenario.name(), new ScenarioRunner(bed).run(scenario));
        }

        assertThat(results.values()).allSatisfy(result -> assertThat(result.outcome().verdict())
                .as("%s: %s", result.name(), result.answers().errorDetails()).isEqualTo(Verdict.AS_EXPECTED));
        ScenarioResult poolOfOne = results.get("lmi-pool-of-1");
        assertThat(poolOfOne.answers().errors()).as("threads queued behind one connection give up").containsKey("POOL_TIMEOUT");
        assertThat(poolOfOne.connections().peakDbConnections()).as("one connection per environment")
                .isLessThanOrEqualTo(ManagedInstancesScenarios.MAX_ENVIRONMENTS);
        assertThat(poolOfOne.environments().peakInFlightPerEnvironment()).isEqualTo(ManagedInstancesScenarios.THREADS);
        ScenarioResult sized = results.get("lmi-sized-pool");
        assertThat(sized.errorCount()).isZero();
        assertThat(sized.connections().peakDbConnections()).as("within the proxy's share")
                .isLessThanOrEqualTo(sized.setup().proxyDatabaseConnections());
        assertThat(sized.answers().ok()).as("the sized pool serves more than the pool of 1")
                .isGreaterThan(poolOfOne.answers().ok());
        ScenarioResult direct = results.get("lmi-default-pool-direct");
        assertThat(direct.answers().errorDetails()).as("new environments fail their init at the role limit")
                .containsKey(ScenarioResult.FAILED_INIT + " (ROLE_CONNECTION_LIMIT)");
        assertThat(direct.connections().peakDbConnections()).as("environments x 10 fill the role's limit")
                .isEqualTo(ManagedInstancesScenarios.DEFAULT_POOL_ROLE_LIMIT);
        ScenarioResult behindProxy = results.get("lmi-default-pool-proxy");
        assertThat(behindProxy.errorCount()).isZero();
        assertThat(behindProxy.connections().peakClientConnections()).as("environments x 10 client connections")
                .isGreaterThanOrEqualTo(10 * ManagedInstancesScenarios.MIN_ENVIRONMENTS);
        assertThat(behindProxy.connections().peakDbConnections()).as("the proxy keeps the database at its share")
                .isLessThanOrEqualTo(behindProxy.setup().proxyDatabaseConnections());
    }

    @ParameterizedTest
    @EnumSource(Isolation.class)
    void aTimedOutInvocationLeavesTheEnvironmentServing(Isolation isolation, TestBed shared) throws Exception {
        TestBed bed = on(shared, isolation);
        try (EmulatedFunction fixed = bed.function(Variant.FIXED, bed.environment(null, Map.of()))
                .withManagedInstances(ManagedInstances.fixedFleet(1, 4)).withMemoryMb(2048)
                .withTimeout(Duration.ofSeconds(1))) {
            Invocation timedOut = fixed.invoke(HttpApiEvents.get("/fixed", 2000));
            JsonNode next = body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200);

            assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);
            assertThat(next.path("environmentId").asText()).as("the same environment keeps serving")
                    .isEqualTo(body(fixed.invoke(HttpApiEvents.get("/fixed", 0)), 200).path("environmentId").asText());
            assertThat(fixed.environments()).singleElement().satisfies(environment -> {
                assertThat(environment.deathReason()).isNull();
                assertThat(environment.frozen()).as("never frozen").isFalse();
            });
        }
    }
}
