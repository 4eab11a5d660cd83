package dev.lambdalab.testbed.serve;

import dev.lambdalab.testbed.lambda.EmulatedFunction;


/**
 * One route of the HTTP API ({@code GET /fixed}, or a user's function): how the page shows it, the function behind it
 * (replaced on reset), how its connections are counted, its counters, and what the live sampler last saw of it.
 */
final class Route {

    final RouteInfo info;
    final RouteConnections connections;
    final Integer reservedConcurrency;
    volatile EmulatedFunction function;
    volatile RouteMetrics metrics = new RouteMetrics();
    // Guarded by the sampler: the counters at the last sample, for per-second rates.
    long lastRequests;
    long lastErrors;
    long lastThrottled;
    int peakDatabaseConnections;

    Route(RouteInfo info, RouteConnections connections, Integer reservedConcurrency, EmulatedFunction function) {
        this.info = info;
        this.connections = connections;
        this.reservedConcurrency = reservedConcurrency;
        this.function = function;
    }

    /** Starts over with a new function and zeroed counters; returns the old function, for its owner to close. */
    EmulatedFunction restart(EmulatedFunction next) {
        EmulatedFunction old = function;
        function = next;
        metrics = new RouteMetrics();
        lastRequests = 0;
        lastErrors = 0;
        lastThrottled = 0;
        peakDatabaseConnections = 0;
        return old;
    }
}
