package dev.lambdalab.testbed.rdsproxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The emulator's counters, written on its event loop and read from any thread. */
final class MetricsRecorder {

    final AtomicInteger clientConnections = new AtomicInteger();
    /** Client connections accepted, and database connections opened, since the start (after the warm-up). */
    final LongAdder clientConnectionsAccepted = new LongAdder();
    final LongAdder databaseConnectionsOpened = new LongAdder();
    private final LongAdder borrows = new LongAdder();
    private final LongAdder borrowNanos = new LongAdder();
    private final LongAdder queries = new LongAdder();
    private final LongAdder queryNanos = new LongAdder();
    private final LongAdder databaseResponses = new LongAdder();
    private final LongAdder databaseNanos = new LongAdder();
    private final LongAdder sessionsPinned = new LongAdder();
    private final LongAdder[] pinReasons = new LongAdder[PinReason.values().length];

    MetricsRecorder() {
        for (int i = 0; i < pinReasons.length; i++) {
            pinReasons[i] = new LongAdder();
        }
    }
    private final LongAdder borrowTimeouts = new LongAdder();
    private final LongAdder clientLimitRefusals = new LongAdder();
    private final LongAdder cancelRequestsDropped = new LongAdder();
    private final LongAdder idleClientsClosed = new LongAdder();
    private final LongAdder databaseConnectionFailures = new LongAdder();
    private final LongAdder queryRequests = new LongAdder();
    private final LongAdder clientSetupsSucceeded = new LongAdder();
    private final LongAdder clientSetupsFailedAuth = new LongAdder();
    final LongAdder clientConnectionsClosed = new LongAdder();
    private final LongAdder databaseSetupsSucceeded = new LongAdder();

    /** A client began a request (QueryRequests). */
    void queryRequested() {
        queryRequests.increment();
    }

    /** A client logged in (ClientConnectionsSetupSucceeded). */
    void clientSetUp() {
        clientSetupsSucceeded.increment();
    }

    /** A client was refused for its credentials or for TLS (ClientConnectionsSetupFailedAuth). */
    void clientFailedAuth() {
        clientSetupsFailedAuth.increment();
    }

    /** A database connection became ready (DatabaseConnectionsSetupSucceeded). */
    void databaseConnectionSetUp() {
        databaseSetupsSucceeded.increment();
    }

    void borrowed(long nanos) {
        borrows.increment();
        borrowNanos.add(nanos);
    }

    void queryResponded(long nanos) {
        queries.increment();
        queryNanos.add(nanos);
    }

    void databaseResponded(long nanos) {
        databaseResponses.increment();
        databaseNanos.add(nanos);
    }

    void sessionPinned(PinReason reason) {
        sessionsPinned.increment();
        pinReasons[reason.ordinal()].increment();
    }

    /** Pinned sessions by reason, in the enum's order. */
    Map<String, Long> pinReasons() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (PinReason reason : PinReason.values()) {
            long count = pinReasons[reason.ordinal()].sum();
            if (count > 0) {
                counts.put(reason.name(), count);
            }
        }
        return counts;
    }

    void borrowTimedOut() {
        borrowTimeouts.increment();
    }

    void clientRefusedAtLimit() {
        clientLimitRefusals.increment();
    }

    void cancelRequestDropped() {
        cancelRequestsDropped.increment();
    }

    void idleClientClosed() {
        idleClientsClosed.increment();
    }

    void databaseConnectionFailed() {
        databaseConnectionFailures.increment();
    }

    /** Zeroes the totals (not the live client count): the warm-up's traffic is not the run's. */
    void reset() {
        for (LongAdder adder : new LongAdder[] {borrows, borrowNanos, queries, queryNanos, databaseResponses,
            databaseNanos, sessionsPinned, borrowTimeouts, clientLimitRefusals, cancelRequestsDropped, idleClientsClosed,
            databaseConnectionFailures, clientConnectionsAccepted, databaseConnectionsOpened, queryRequests,
            clientSetupsSucceeded, clientSetupsFailedAuth, clientConnectionsClosed, databaseSetupsSucceeded}) {
            adder.reset();
        }
        for (LongAdder adder : pinReasons) {
            adder.reset();
        }
    }

    /**
     * The counters now, with the pools' gauges (which only the event loop can read).
     *
     * @param gauges the builder with the gauges set
     */
    ProxyMetrics snapshot(ProxyMetrics.Builder gauges) {
        return gauges.clientConnections(clientConnections.get())
                .borrows(borrows.sum())
                .borrowMicrosTotal(borrowNanos.sum() / 1000)
                .queryRequests(queryRequests.sum())
                .queries(queries.sum())
                .queryResponseMicrosTotal(queryNanos.sum() / 1000)
                .databaseResponses(databaseResponses.sum())
                .queryDatabaseResponseMicrosTotal(databaseNanos.sum() / 1000)
                .sessionsPinned(sessionsPinned.sum())
                .borrowTimeouts(borrowTimeouts.sum())
                .clientLimitRefusals(clientLimitRefusals.sum())
                .cancelRequestsDropped(cancelRequestsDropped.sum())
                .idleClientsClosed(idleClientsClosed.sum())
                .clientConnectionsReceived(clientConnectionsAccepted.sum())
                .clientConnectionsSetupSucceeded(clientSetupsSucceeded.sum())
                .clientConnectionsSetupFailedAuth(clientSetupsFailedAuth.sum())
                .clientConnectionsClosed(clientConnectionsClosed.sum())
                .databaseConnectionRequests(databaseConnectionsOpened.sum())
                .databaseConnectionsSetupSucceeded(databaseSetupsSucceeded.sum())
                .databaseConnectionFailures(databaseConnectionFailures.sum())
                .build();
    }
}
