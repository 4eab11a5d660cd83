package dev.lambdalab.testbed.faults;

import dev.lambdalab.testbed.lambda.EmulatedFunction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A query runs longer than the function allows it. With DB_QUERY_TIMEOUT_S set, pgjdbc asks the server to cancel
 * it (SQLState 57014) and the connection goes back to the pool healthy. With only DB_SOCKET_TIMEOUT_S, pgjdbc stops
 * waiting and closes the socket: the pool evicts the connection, and the abandoned query runs on the server until
 * it ends. Either way the caller gets 503 QUERY_TIMEOUT at the limit, not when the query would have ended.
 */
final class SlowQuery implements FaultExperiment {

    /** How long the slow query would run. */
    static final int QUERY_MILLIS = 2500;
    /** The server cancels it at the query timeout, well inside the socket timeout. */
    static final SlowQuery CANCELLED = new SlowQuery(1, 3);
    /** No query timeout: the socket timeout ends the wait. */
    static final SlowQuery PAST_SOCKET_TIMEOUT = new SlowQuery(0, 1);

    private final int queryTimeoutSeconds;
    private final int socketTimeoutSeconds;

    /** A query timeout of 0 means none: the socket timeout ends the wait. */
    private SlowQuery(int queryTimeoutSeconds, int socketTimeoutSeconds) {
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.socketTimeoutSeconds = socketTimeoutSeconds;
    }

    /** The fault's description, from the two timeouts. */
    String description() {
        return queryTimeoutSeconds > 0
                ? "A query runs longer than DB_QUERY_TIMEOUT_S (" + queryTimeoutSeconds + " s; the socket timeout is "
                        + socketTimeoutSeconds + " s)."
                : "A query runs longer than DB_SOCKET_TIMEOUT_S (" + socketTimeoutSeconds + " s) with no query"
                        + " timeout set.";
    }

    @Override
    public FaultResult run(Fault fault, FaultProbe probe) throws InterruptedException {
        Map<String, String> settings = Map.of("DB_QUERY_TIMEOUT_S", Integer.toString(queryTimeoutSeconds),
                "DB_SOCKET_TIMEOUT_S", Integer.toString(socketTimeoutSeconds));
        try (EmulatedFunction fixed = probe.fixed(probe.testBed().environment(null, settings))) {
            Call warm = probe.call(fixed, 0);
            long slowSent = System.nanoTime();
            Call slow = probe.call(fixed, QUERY_MILLIS);
            Call next = probe.call(fixed, 0);
            boolean cancelled = queryTimeoutSeconds > 0;
            boolean oldBackendIdleOrGone = FaultProbe.await(Duration.ofSeconds(5),
                    () -> probe.backendState(warm.backendPid()).map("idle"::equals).orElse(true));
            long oldBackendSettledAfter = FaultProbe.millisSince(slowSent);
            Optional<String> oldBackend = probe.backendState(warm.backendPid());
            long limit = (cancelled ? queryTimeoutSeconds : socketTimeoutSeconds) * 1000L;
            String backends = "backend " + warm.backendPid() + " then " + next.backendPid();
            FaultResult.Builder result = probe.result(fault, fixed)
                    .callerSaw(slow.key() + " after " + slow.latencyMillis() + " ms")
                    .recovery(cancelled
                            ? "none needed: the next call ran on the same connection (the server cancelled the query)"
                            : "the next call got 200 on a new connection; the abandoned query ran on the server until"
                                    + " it ended (" + oldBackendSettledAfter + " ms)")
                    .answers(Call.answers(List.of(warm, slow, next)))
                    .measure("errorAnswerMillis", slow.latencyMillis())
                    .measure("oldBackendSettledAfterMillis", oldBackendSettledAfter)
                    .measure("sameConnectionAfter", next.backendPid() == warm.backendPid() ? 1 : 0)
                    .check("the caller got 503 QUERY_TIMEOUT" + (cancelled ? " with SQLState 57014" : ""),
                            slow.status() == 503 && slow.detail().startsWith("QUERY_TIMEOUT")
                                    && (!cancelled || "57014".equals(slow.sqlState())),
                            slow.key() + " " + slow.sqlState())
                    .check("after the " + limit + " ms limit, well before the " + QUERY_MILLIS
                            + " ms query would end", slow.latencyMillis() >= limit - 100
                                    && slow.latencyMillis() < limit + 1_000, slow.latencyMillis() + " ms")
                    .check("the next call got 200 from the same environment",
                            next.ok() && next.sameEnvironmentAs(warm), next.key());
            if (cancelled) {
                result.check("on the same connection: the cancelled one went back healthy",
                                next.backendPid() == warm.backendPid(), backends)
                        .check("the server stopped the query at once", oldBackendIdleOrGone && oldBackend.isPresent(),
                                "backend " + oldBackend.orElse("gone"));
            } else {
                result.check("on a new connection: the timed-out one was evicted, never handed out again",
                                next.backendPid() != warm.backendPid(), backends)
                        .check("the abandoned backend ended when its query did",
                                oldBackendIdleOrGone && oldBackend.isEmpty(),
                                "gone " + oldBackendSettledAfter + " ms after the request");
            }
            return result.build();
        }
    }
}
