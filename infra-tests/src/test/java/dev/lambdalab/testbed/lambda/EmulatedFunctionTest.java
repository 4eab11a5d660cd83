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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmulatedFunctionTest {

    private static final FunctionCode FIXTURES = FunctionCode.ofPackages("dev.lambdalab.testbed.fixtures", "dev.lambdalab.db");

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<EmulatedFunction> functions = new ArrayList<>();

    private EmulatedFunction function(String handler) {
        EmulatedFunction function = new EmulatedFunction("probe", handler).withCode(FIXTURES);
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

    private List<Invocation> concurrently(EmulatedFunction function, int callers, Map<String, Object> event)
            throws Exception {
        List<Future<Invocation>> futures = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            futures.add(this.callers.submit(() -> function.invoke(event)));
        }
        List<Invocation> results = new ArrayList<>();
        for (Future<Invocation> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    @Test
    void warmEnvironmentsAreReusedAndOnlyTheFirstInvocationIsCold() {
        EmulatedFunction function = function(ProbeHandler.class.getName());

        List<Invocation> invocations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            invocations.add(function.invoke(Map.of()));
        }

        assertThat(invocations).extracting(Invocation::environmentId).as("one environment").containsOnly(
                invocations.get(0).environmentId());
        assertThat(invocations).extracting(Invocation::coldStart).containsExactly(true, false, false, false, false,
                false, false, false, false, false);
        assertThat(body(invocations.get(9))).containsEntry("invocations", 10);
        assertThat(invocations.get(0).initDuration()).isPositive();
        assertThat(function.metrics().coldStarts()).isEqualTo(1);
        assertThat(function.metrics().environmentsCreated()).isEqualTo(1);
    }

    @Test
    void staticStateBelongsToOneEnvironment() throws Exception {
        EmulatedFunction function = function(ProbeHandler.class.getName());

        List<Invocation> first = concurrently(function, 3, Map.of("sleepMs", 200));

        assertThat(first).extracting(Invocation::environmentId).doesNotHaveDuplicates();
        assertThat(first).allSatisfy(invocation -> assertThat(body(invocation))
                .as("each environment counts only its own invocations").containsEntry("invocations", 1));
    }

    @Test
    void anEnvironmentRunsOneInvocationAtATime() throws Exception {
        EmulatedFunction function = function(ProbeHandler.class.getName());

        List<Invocation> invocations = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            invocations.addAll(concurrently(function, 20, Map.of("sleepMs", 5)));
        }

        assertThat(invocations).allSatisfy(invocation -> assertThat(body(invocation)).containsEntry("maxRunning", 1));
        Set<String> environments = new HashSet<>();
        invocations.forEach(invocation -> environments.add(invocation.environmentId()));
        assertThat(environments).as("at most one environment per concurrent caller").hasSizeLessThanOrEqualTo(20);
        assertThat(function.metrics().peakConcurrency()).isLessThanOrEqualTo(20);
    }

    @Test
    void invocationsBeyondReservedConcurrencyAreThrottledAtOnce() throws Exception {
        EmulatedFunction function = function(ProbeHandler.class.getName()).withReservedConcurrency(2);

        long start = System.nanoTime();
        List<Invocation> invocations = concurrently(function, 6, Map.of("sleepMs", 1000));

        List<Invocation> throttled = invocations.stream().filter(i -> i.outcome() == Outcome.THROTTLED).toList();
        assertThat(throttled).as("6 callers, 2 environments allowed").hasSize(4);
        assertThat(throttled).allSatisfy(invocation -> {
            assertThat(invocation.errorType()).isEqualTo("TooManyRequestsException");
            assertThat(invocation.errorMessage()).isEqualTo(
                    "Rate Exceeded. Reason: ReservedFunctionConcurrentInvocationLimitExceeded");
        });
        assertThat(function.metrics().throttles()).isEqualTo(4);
        assertThat(function.metrics().environmentsCreated()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("only the two admitted calls waited")
                .isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void reservedConcurrencyZeroThrottlesEverything() {
        EmulatedFunction function = function(ProbeHandler.class.getName()).withReservedConcurrency(0);

        assertThat(function.invoke(Map.of()).outcome()).isEqualTo(Outcome.THROTTLED);
    }

    @Test
    void aTimedOutInvocationDiscardsItsEnvironment() {
        EmulatedFunction function = function(ProbeHandler.class.getName()).withTimeout(Duration.ofMillis(200));

        Invocation warm = function.invoke(Map.of());
        Invocation timedOut = function.invoke(Map.of("sleepMs", 1000));
        Invocation next = function.invoke(Map.of());

        assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(timedOut.errorMessage()).isEqualTo("Task timed out after 0.20 seconds");
        assertThat(timedOut.environmentId()).isEqualTo(warm.environmentId());
        assertThat(next.coldStart()).as("the next invocation initialises a new environment").isTrue();
        assertThat(next.environmentId()).isNotEqualTo(warm.environmentId());
        assertThat(body(next)).containsEntry("invocations", 1);
        assertThat(function.metrics().timeouts()).isEqualTo(1);
        assertThat(function.environments()).filteredOn(e -> e.id().equals(warm.environmentId()))
                .singleElement().satisfies(e -> assertThat(e.deathReason()).isEqualTo("timed out"));
    }

    @Test
    void anEnvironmentIdleForTheReclaimTimeIsReclaimedAndOneIdleLessIsKept() {
        AtomicLong now = new AtomicLong();
        EmulatedFunction function = function(ProbeHandler.class.getName()).withClock(now::get)
                .withIdleReclaim(Duration.ofMinutes(5)); // the reaper's period is 1 s; the test moves time itself

        Invocation first = function.invoke(Map.of());
        now.addAndGet(Duration.ofMinutes(5).minusNanos(1).toNanos());
        function.reclaimIdle();
        Invocation kept = function.invoke(Map.of());
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        function.reclaimIdle();
        Invocation second = function.invoke(Map.of());

        assertThat(kept.coldStart()).as("idle 1 ns short of the reclaim time: still warm").isFalse();
        assertThat(kept.environmentId()).isEqualTo(first.environmentId());
        assertThat(second.coldStart()).as("idle for the reclaim time: reclaimed, so a cold start").isTrue();
        assertThat(second.environmentId()).isNotEqualTo(first.environmentId());
        assertThat(function.metrics().reclaimed()).as("environments reclaimed").isEqualTo(1);
        assertThat(function.environments()).filteredOn(e -> e.id().equals(first.environmentId())).singleElement()
                .satisfies(e -> assertThat(e.deathReason()).isEqualTo("reclaimed after 300000ms idle"));
    }

    @Test
    void aFailedInitIsReportedAndTheNextInvocationTriesANewEnvironment() {
        EmulatedFunction function = function(BrokenInitHandler.class.getName());

        Invocation first = function.invoke(Map.of());
        Invocation second = function.invoke(Map.of());

        assertThat(first.outcome()).isEqualTo(Outcome.INIT_ERROR);
        assertThat(first.errorType()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(first.errorMessage()).contains("POOL_MAX_SIZE must be an integer from 1 to 1600");
        assertThat(second.environmentId()).isNotEqualTo(first.environmentId());
        assertThat(function.metrics().initErrors()).isEqualTo(2);
        assertThat(function.log().lines()).anySatisfy(line -> assertThat(line.text()).contains("Runtime.InitError"));
    }

    @Test
    void aHandlerExceptionIsAFunctionErrorAndTheEnvironmentStaysWarm() {
        EmulatedFunction function = function(ProbeHandler.class.getName());

        Invocation failed = function.invoke(Map.of("throw", true));
        Invocation next = function.invoke(Map.of());

        assertThat(failed.outcome()).isEqualTo(Outcome.FUNCTION_ERROR);
        assertThat(failed.errorType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(next.environmentId()).isEqualTo(failed.environmentId());
        assertThat(next.coldStart()).isFalse();
        assertThat(function.metrics().functionErrors()).containsEntry(IllegalStateException.class.getName(), 1L);
    }

    @Test
    void theHandlerSeesItsContextAndItsEnvironmentVariables() {
        EmulatedFunction function = function(ProbeHandler.class.getName()).withEnvironmentVariable("GREETING", "hello")
                .withMemoryMb(1024).withTimeout(Duration.ofSeconds(3)).withRegion("eu-west-1");

        Map<String, Object> body = body(function.invoke(Map.of()));

        assertThat(body).containsEntry("greeting", "hello").containsEntry("function", "probe")
                .containsEntry("memory", 1024).containsEntry("region", "eu-west-1");
        assertThat((Integer) body.get("remainingMs")).isBetween(2000, 3000);
        assertThat(function.log().lines()).anySatisfy(line -> assertThat(line.text()).startsWith("handled "));
    }

    @Test
    void badConfigurationIsRefusedWithTheValue() {
        EmulatedFunction function = function(ProbeHandler.class.getName());

        assertThatThrownBy(() -> function.withTimeout(Duration.ofMillis(50)))
                .hasMessage("timeout must be from 100ms to 900s, got 50ms");
        assertThatThrownBy(() -> function.withReservedConcurrency(-1))
                .hasMessage("reservedConcurrency must be from 0 to 10000, got -1");
        assertThatThrownBy(() -> function.withEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", "x"))
                .hasMessageContaining("is reserved: Lambda sets it");
        function.invoke(Map.of());
        assertThatThrownBy(() -> function.withMemoryMb(256)).isInstanceOf(IllegalStateException.class);
    }
}
