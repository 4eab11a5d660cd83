package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.proxy.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The same function timeout through the proxy: the leaked client stays at the proxy until its
 * IdleClientTimeout, but the database connection goes back to the proxy's pool as soon as the query ends,
 * so the leak costs a client slot, not a database connection.
 */
final class FunctionTimeoutBehindProxy implements FaultExperiment {

    /** The proxy's IdleClientTimeout here: it closes the leaked client. */
    static final int IDLE_CLIENT_TIMEOUT_S = 3;

    @Override
    public Optional<String> unsupported(TestBed testBed) {
        return FunctionTimeoutDirect.unsupportedUnderProcessIsolation(testBed);
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        TestBed testBed = probe.testBed();
        Duration idleTimeout = Duration.ofSeconds(IDLE_CLIENT_TIMEOUT_S);
        try (Proxy proxy = testBed.startProxy(testBed.proxyDefaults().withIdleClientTimeout(idleTimeout));
                EmulatedFunction fixed = probe.fixed(testBed.environment(proxy, Map.of()))
                        .withTimeout(Duration.ofSeconds(FunctionTimeoutDirect.FUNCTION_TIMEOUT_S))) {
            Call warm = probe.call(fixed, 0);
            Call timedOut = probe.call(fixed, FunctionTimeoutDirect.QUERY_MILLIS);
            long timedOutAt = System.nanoTime();
            Call next = probe.call(fixed, 0);
            int clientsAfter = FaultProbe.pools(proxy).clients();
            boolean serverFreed = FaultProbe.await(Duration.ofSeconds(10),
                    () -> FaultProbe.pools(proxy).serverActive() == 0);
            long serverFreedAfter = FaultProbe.millisSince(timedOutAt);
            boolean clientsClosed = FaultProbe.await(Duration.ofSeconds(15),
                    () -> FaultProbe.pools(proxy).clients() == 0);
            long clientsClosedAfter = FaultProbe.millisSince(timedOutAt);
            return probe.result(fault, fixed)
                    .callerSaw("500 (Lambda timeout), then 200 from a new environment")
                    .recovery("the database connection was back in the proxy's pool " + serverFreedAfter
                            + " ms after the timeout (when the query ended); the leaked client closed after "
                            + clientsClosedAfter + " ms")
                    .answers(Call.answers(List.of(warm, timedOut, next)))
                    .measure("proxyClientsAfterTimeout", clientsAfter)
                    .measure("databaseConnectionFreedAfterMillis", serverFreedAfter)
                    .measure("leakedClientClosedAfterMillis", clientsClosedAfter)
                    .check("the caller got Lambda's timeout", timedOut.detail().startsWith("TIMEOUT"), timedOut.key())
                    .check("the next call got 200 from a new environment", next.ok() && next.coldStart(), next.key())
                    .check("the proxy held the dead environment's client and the new one's", clientsAfter == 2,
                            clientsAfter + " clients")
                    .check("the database connection went back to the proxy's pool when the query ended",
                            serverFreed && serverFreedAfter < 4_000, serverFreedAfter + " ms after the timeout")
                    .check("the proxy closed the leaked client (IdleClientTimeout)", clientsClosed,
                            clientsClosedAfter + " ms after the timeout")
                    .build();
        }
    }
}
