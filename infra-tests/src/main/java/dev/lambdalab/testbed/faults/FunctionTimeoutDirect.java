package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Isolation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An invocation outlives the function timeout while its connection runs a query, straight to PostgreSQL. Lambda
 * answers the caller with its timeout and throws the environment away without running any of its code, so
 * the connection leaks: it stays on the server until something there ends it, here the role's
 * idle_session_timeout. The discarded pool must not come back to life and reconnect.
 */
final class FunctionTimeoutDirect implements FaultExperiment {

    /** The function timeout in this experiment (template.yaml's is 15 s). */
    static final int FUNCTION_TIMEOUT_S = 1;
    /** The app role's idle_session_timeout, the server's only way to end the leaked session. */
    static final int IDLE_SESSION_TIMEOUT_S = 2;
    /** How long the timed-out query holds its connection. */
    static final int QUERY_MILLIS = 2500;

    @Override
    public Optional<String> unsupported(TestBed testBed) {
        return unsupportedUnderProcessIsolation(testBed);
    }

    /** The rule of both timeout faults: a killed process cannot leak, so only the class-loader isolation shows it. */
    static Optional<String> unsupportedUnderProcessIsolation(TestBed testBed) {
        return testBed.isolation() == Isolation.PROCESS
                ? Optional.of("with process isolation a timed-out environment's process is killed and the kernel"
                        + " closes its connections at once; in Lambda they leak, which the class-loader isolation"
                        + " shows")
                : Optional.empty();
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        TestBed testBed = probe.testBed();
        LabDatabase lab = testBed.lab();
        lab.setAppRoleSetting("idle_session_timeout", IDLE_SESSION_TIMEOUT_S + "s");
        try (EmulatedFunction fixed = probe.fixed(testBed.environment(null, Map.of()))
                .withTimeout(Duration.ofSeconds(FUNCTION_TIMEOUT_S))) {
            Call warm = probe.call(fixed, 0);
            Call timedOut = probe.call(fixed, QUERY_MILLIS);
            long timedOutAt = System.nanoTime();
            boolean stillThere = probe.backendState(warm.backendPid()).isPresent();
            Call next = probe.call(fixed, 0);
            int heldByDead = fixed.metrics().connectionsHeldByDeadEnvironments();
            boolean dropped = FaultProbe.await(Duration.ofSeconds(10),
                    () -> probe.backendState(warm.backendPid()).isEmpty());
            long droppedAfter = FaultProbe.millisSince(timedOutAt);
            FaultProbe.sleep(Duration.ofMillis(1500)); // the discarded pool's housekeeping would now try to refill
            int reconnected = lab.connectionsOfEnvironment(warm.environmentId());
            return probe.result(fault, fixed)
                    .callerSaw("500 (Lambda: " + Optional.ofNullable(timedOut.errorMessage()).orElse("timed out")
                            + "), then 200 from a new environment")
                    .recovery("next call 200 (cold start); the leaked connection stayed " + droppedAfter
                            + " ms, until the server's idle_session_timeout")
                    .answers(Call.answers(List.of(warm, timedOut, next)))
                    .measure("leakedConnections", heldByDead)
                    .measure("leakReclaimedAfterMillis", droppedAfter)
                    .check("the caller got Lambda's timeout", timedOut.detail().startsWith("TIMEOUT"), timedOut.key())
                    .check("the next call got 200 from a new environment",
                            next.ok() && next.coldStart() && !next.sameEnvironmentAs(warm), next.key())
                    .check("the dead environment's connection stayed on the server (the leak)",
                            stillThere && heldByDead == 1, heldByDead + " held by dead environments")
                    .check("the server dropped it (idle_session_timeout)", dropped,
                            droppedAfter + " ms after the timeout")
                    .check("the discarded pool never reconnected", reconnected == 0, reconnected + " connections")
                    .build();
        } finally {
            lab.setAppRoleSetting("idle_session_timeout", "0");
        }
    }
}
