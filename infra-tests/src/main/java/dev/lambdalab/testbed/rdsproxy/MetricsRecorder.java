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
            databaseConnectionFailures, clientConnectionsAccepted, databaseConnectionsOpened}) {
            adder.reset();
        }
        for (LongAdder adder : pinReasons) {
            adder.reset();
        }
    }

    ProxyMetrics snapshot(int databaseConnections, int pinned, int borrowed, int waiting) {
        return new ProxyMetrics(clientConnections.get(), databaseConnections, pinned, borrowed, waiting, borrows.sum(),
                borrowNanos.sum() / 1000, queries.sum(), queryNanos.sum() / 1000, databaseResponses.sum(),
                databaseNanos.sum() / 1000, sessionsPinned.sum(), borrowTimeouts.sum(), clientLimitRefusals.sum(),
                cancelRequestsDropped.sum(), idleClientsClosed.sum(), databaseConnectionFailures.sum());
    }
}
