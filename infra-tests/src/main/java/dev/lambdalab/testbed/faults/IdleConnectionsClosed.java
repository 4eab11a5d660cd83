package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.proxy.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Warm environments sit idle while the other side closes their connections: PostgreSQL ends the backends
 * ({@code pg_terminate_backend}, as a failover or an admin would), or the proxy closes idle clients (RDS Proxy's
 * IdleClientTimeout). A frozen environment cannot notice; its pool must find out on the next borrow (HikariCP
 * validates a connection idle for more than 500 ms before lending it) and open a new one, with no error.
 */
final class IdleConnectionsClosed implements FaultExperiment {

    /** How many warm environments are idle when their connections are closed. */
    static final int ENVIRONMENTS = 4;
    /** The proxy's IdleClientTimeout in the proxy's variant. */
    static final int PROXY_IDLE_CLIENT_TIMEOUT_S = 2;

    /** Who closes the connections. */
    enum By { SERVER, PROXY }

    private final By by;

    IdleConnectionsClosed(By by) {
        this.by = by;
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        TestBed testBed = probe.testBed();
        if (by == By.SERVER) {
            try (EmulatedFunction fixed = probe.fixed(testBed.environment(null, Map.of()))) {
                return measure(fault, probe, fixed, () -> {
                    int ended = testBed.lab().terminateAppConnections();
                    FaultProbe.sleep(Duration.ofSeconds(1)); // idle afterwards, as a frozen environment would be
                    return ended;
                });
            }
        }
        Duration idleTimeout = Duration.ofSeconds(PROXY_IDLE_CLIENT_TIMEOUT_S);
        try (Proxy proxy = testBed.startProxy(testBed.proxyDefaults().withIdleClientTimeout(idleTimeout));
                EmulatedFunction fixed = probe.fixed(testBed.environment(proxy, Map.of()))) {
            return measure(fault, probe, fixed, () -> {
                int before = FaultProbe.pools(proxy).clients();
                boolean closed = FaultProbe.await(Duration.ofSeconds(10), () -> FaultProbe.pools(proxy).clients() == 0);
                return closed ? before : -1;
            });
        }
    }

    @FunctionalInterface
    private interface Closer {
        /** Closes the idle connections; returns how many it closed (-1 when it did not happen). */
        int close() throws InterruptedException;
    }

    private FaultResult measure(Fault fault, FaultProbe probe, EmulatedFunction fixed, Closer closer)
            throws InterruptedException {
        List<Call> warm = probe.concurrently(fixed, ENVIRONMENTS, 300);
        Set<Integer> oldPids = warm.stream().map(Call::backendPid).collect(Collectors.toSet());
        int closed = closer.close();
        List<Call> after = probe.concurrently(fixed, ENVIRONMENTS, 0);
        Map<String, Long> answers = Call.answers(after);
        long errors = after.stream().filter(call -> !call.ok()).count();
        long slowest = after.stream().mapToLong(Call::latencyMillis).max().orElse(0);
        long coldStarts = after.stream().filter(Call::coldStart).count();
        Set<Integer> newPids = after.stream().map(Call::backendPid).collect(Collectors.toSet());
        // Behind the proxy the backends stay (the proxy keeps its database connections); only the server's
        // variant must see new ones.
        boolean replaced = by == By.PROXY || newPids.stream().noneMatch(oldPids::contains);
        return probe.result(fault, fixed)
                .callerSaw("0 errors: " + answers.getOrDefault("200", 0L) + " × 200 from the same " + ENVIRONMENTS
                        + " environments")
                .recovery("none needed: the pool validated the connection on borrow and opened a new one (slowest"
                        + " answer " + slowest + " ms)")
                .answers(answers)
                .measure("environments", ENVIRONMENTS)
                .measure("connectionsClosed", closed)
                .measure("errors", errors)
                .measure("slowestFirstAnswerMillis", slowest)
                .check("warm-up answered 200 from " + ENVIRONMENTS + " environments",
                        warm.stream().allMatch(Call::ok) && Call.environmentsOf(warm) == ENVIRONMENTS,
                        Call.answers(warm) + " from " + Call.environmentsOf(warm) + " environments")
                .check("the fault closed every idle connection", closed == ENVIRONMENTS, closed + " closed")
                .check("no error reached a caller", errors == 0, answers.toString())
                .check("the same environments answered, none started again",
                        coldStarts == 0 && Call.environmentsOf(after) == ENVIRONMENTS,
                        Call.environmentsOf(after) + " environments, " + coldStarts + " cold starts")
                .check("each pool replaced its dead connection", replaced,
                        "backends before " + oldPids + ", after " + newPids)
                .check("the first answer after the fault came within the pool timeout",
                        slowest < FaultProbe.POOL_TIMEOUT_MILLIS, slowest + " ms")
                .build();
    }
}
