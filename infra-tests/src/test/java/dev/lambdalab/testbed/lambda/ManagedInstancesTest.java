package dev.lambdalab.testbed.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdalab.testbed.fixtures.BrokenInitHandler;
import dev.lambdalab.testbed.fixtures.ProbeHandler;
import dev.lambdalab.testbed.lambda.Invocation.Outcome;
import dev.lambdalab.testbed.lambda.sandbox.FunctionCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The second execution model, Lambda Managed Instances, in the class-loader isolation. */
class ManagedInstancesTest {

    private static final FunctionCode FIXTURES = FunctionCode.ofPackages("dev.lambdalab.testbed.fixtures", "dev.lambdalab.db");

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<EmulatedFunction> functions = new ArrayList<>();

    private EmulatedFunction function(ManagedInstances managed) {
        EmulatedFunction function = new EmulatedFunction("lmi", ProbeHandler.class.getName()).withCode(FIXTURES)
                .withManagedInstances(managed);
        functions.add(function);
        return function;
    }

    @AfterEach
    void tearDown() {
        functions.forEach(EmulatedFunction::close);
        callers.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(Invocation invocation) {
        assertThat(invocation.outcome()).as("outcome of %s", invocation).isEqualTo(Outcome.SUCCESS);
        return (Map<String, Object>) invocation.response();
    }

    private List<Invocation> concurrently(EmulatedFunction function, int count, Map<String, Object> event)
            throws Exception {
        List<Future<Invocation>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(callers.submit(() -> function.invoke(event)));
        }
        List<Invocation> results = new ArrayList<>();
        for (Future<Invocation> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    @Test
    void publishingStartsTheMinimumFleetBeforeTheFirstInvocation() {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(3, 4)).publish();

        assertThat(function.metrics().coldStarts()).as("three environments initialised at publish").isEqualTo(3);
        assertThat(function.environments()).extracting(EnvironmentInfo::state).containsOnly("IDLE");
        Invocation first = function.invoke(Map.of());
        assertThat(first.coldStart()).as("no invocation starts an environment").isFalse();
        assertThat(function.metrics().environmentsCreated()).isEqualTo(3);
        assertThat(function.log().lines()).anySatisfy(line -> assertThat(line.text())
                .startsWith("PUBLISH 3 of 3 environments ready"));
    }

    @Test
    void threadsOfOneEnvironmentShareOneHandlerAndItsStatics() throws Exception {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(1, 8));

        List<Invocation> invocations = concurrently(function, 8, Map.of("sleepMs", 300));

        assertThat(invocations).extracting(Invocation::environmentId).as("one environment").containsOnly(
                invocations.get(0).environmentId());
        Set<Object> instances = invocations.stream().map(i -> body(i).get("handlerInstance")).collect(Collectors.toSet());
        Set<Object> threads = invocations.stream().map(i -> body(i).get("thread")).collect(Collectors.toSet());
        assertThat(instances).as("one handler object, as Lambda loads it once per environment").hasSize(1);
        assertThat(threads).as("each invocation on a runtime thread of its own").hasSize(8);
        assertThat(invocations).extracting(i -> body(i).get("maxRunning")).as("they overlapped").contains(8);
        assertThat(invocations).extracting(i -> body(i).get("invocations")).as("one static counter")
                .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(function.metrics().peakEnvironmentConcurrency()).isEqualTo(8);
    }

    @Test
    void invocationsGoToTheLeastLoadedEnvironmentAndBeyondEveryWorkerAreThrottled() throws Exception {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(2, 3));

        List<Invocation> invocations = concurrently(function, 8, Map.of("sleepMs", 500));

        List<Invocation> served = invocations.stream().filter(Invocation::succeeded).toList();
        List<Invocation> throttled = invocations.stream().filter(i -> i.outcome() == Outcome.THROTTLED).toList();
        assertThat(served).as("2 environments x 3 workers").hasSize(6);
        assertThat(throttled).hasSize(2).allSatisfy(i -> assertThat(i.errorMessage())
                .isEqualTo("Rate Exceeded. Reason: " + ManagedInstancesRuntime.CAPACITY));
        assertThat(served.stream().collect(Collectors.groupingBy(Invocation::environmentId, Collectors.counting())))
                .as("spread over both environments, 3 each").containsOnlyKeys(served.stream()
                        .map(Invocation::environmentId).distinct().toList()).allSatisfy((id, count) -> assertThat(count)
                        .isEqualTo(3L));
        assertThat(function.metrics().environmentsCreated()).as("throttles start no environment").isEqualTo(2);
    }

    @Test
    void aTimeoutFailsOnlyItsInvocationAndItsWorkerStaysBusyUntilTheHandlerReturns() throws Exception {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(1, 1)).withTimeout(Duration.ofMillis(200));

        Invocation timedOut = function.invoke(Map.of("sleepMs", 1200));
        Invocation whileItRuns = function.invoke(Map.of());
        Thread.sleep(1300);
        Invocation after = function.invoke(Map.of());

        assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(timedOut.errorMessage()).isEqualTo("Task timed out after 0.20 seconds");
        assertThat(whileItRuns.outcome()).as("the handler still holds the only worker").isEqualTo(Outcome.THROTTLED);
        assertThat(after.environmentId()).as("the environment was kept").isEqualTo(timedOut.environmentId());
        assertThat(body(after)).as("the timed-out handler finished its work").containsEntry("invocations", 2);
        assertThat(function.environments()).singleElement().satisfies(e -> assertThat(e.deathReason()).isNull());
    }

    @Test
    void aVersionWhoseEnvironmentsAllFailInitAnswersWithTheInitError() {
        EmulatedFunction function = new EmulatedFunction("lmi", BrokenInitHandler.class.getName()).withCode(FIXTURES)
                .withManagedInstances(ManagedInstances.fixedFleet(2, 4));
        functions.add(function);

        Invocation invocation = function.invoke(Map.of());

        assertThat(invocation.outcome()).isEqualTo(Outcome.INIT_ERROR);
        assertThat(invocation.errorMessage()).startsWith("no execution environment of the version is active:")
                .contains("POOL_MAX_SIZE must be an integer");
        assertThat(function.metrics().initErrors()).isEqualTo(2);
    }

    @Test
    void theEnvironmentSeesItsConcurrencyAsLambdaSetsIt() {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(1, 16));

        FunctionConfig config = function.publish().config();

        assertThat(config.lambdaVariables()).containsEntry("AWS_LAMBDA_MAX_CONCURRENCY", "16");
        assertThat(config.perEnvironmentConcurrency()).isEqualTo(16);
    }

    @Test
    void badConfigurationIsRefusedNamingTheFieldAndTheRange() {
        assertThatThrownBy(() -> ManagedInstances.defaults().withConcurrency(0))
                .hasMessage("perEnvironmentMaxConcurrency must be from 1 to 1600, got 0");
        assertThatThrownBy(() -> ManagedInstances.defaults().withEnvironments(5, 4))
                .hasMessage("minEnvironments (5) must be at most maxEnvironments (4)");
        assertThatThrownBy(() -> new EmulatedFunction("lmi", ProbeHandler.class.getName())
                .withManagedInstances(ManagedInstances.defaults()).withIsolation(Isolation.PROCESS)
                .withSnapStart(SnapStart.SNAPSHOT).publish())
                .hasMessageStartingWith("SnapStart and Managed Instances exclude each other");
    }

    @Test
    void environmentsAreNeverFrozenOrReclaimedForIdleness() {
        EmulatedFunction function = function(ManagedInstances.fixedFleet(2, 2)).withIdleReclaim(Duration.ofMillis(10));

        function.invoke(Map.of());
        function.reclaimIdle();

        Set<String> alive = new HashSet<>();
        function.environments().forEach(e -> {
            assertThat(e.frozen()).isFalse();
            alive.add(e.state());
        });
        assertThat(alive).doesNotContain("DEAD");
        assertThat(function.metrics().reclaimed()).isZero();
    }
}
