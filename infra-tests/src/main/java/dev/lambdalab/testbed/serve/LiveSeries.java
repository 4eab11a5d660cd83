package dev.lambdalab.testbed.serve;

import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.FunctionMetrics;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the live page draws: once a second, the database connections per route (from pg_stat_activity, as the
 * monitoring role), the proxy's clients and pinned connections, the environments alive, and the request, error
 * and throttle rates; the last ten minutes of it. The monitoring connection is its own, never one of the
 * application role's slots, and it reconnects when the server restarts.
 */
final class LiveSeries implements AutoCloseable {

    /** Ten minutes at one point a second. */
    private static final int POINTS = 600;

    private final LabDatabase lab;
    private final ArrayDeque<Map<String, Object>> points = new ArrayDeque<>();
    private Connection monitor;
    private volatile long startNanos = System.nanoTime();
    private volatile int peakDatabaseConnections;

    LiveSeries(LabDatabase lab) throws SQLException {
        this.lab = lab;
        this.monitor = lab.monitorConnection();
    }

    int peakDatabaseConnections() {
        return peakDatabaseConnections;
    }

    double uptimeSeconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000.0;
    }

    /** Milliseconds since the start, or the last reset: the requests' start times count from it. */
    long millisSinceStart(long nanos) {
        return (nanos - startNanos) / 1_000_000;
    }

    /** One point: the routes' counters and connections now. */
    synchronized void sample(Collection<Route> routes, Proxy proxy) {
        try {
            Map<String, Integer> byFunction = LabDatabase.countAppConnectionsByFunction(monitor,
                    lab.names().appRole());
            int total = byFunction.values().stream().mapToInt(Integer::intValue).sum();
            peakDatabaseConnections = Math.max(peakDatabaseConnections, total);
            PoolsSnapshot pools = null;
            if (proxy != null) {
                try {
                    pools = proxy.pools();
                } catch (IOException e) {
                    pools = null; // the proxy restarting: the proxy's numbers are missing for this second
                }
            }
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", uptimeSeconds());
            point.put("db", total);
            Map<String, Object> perRoute = new LinkedHashMap<>();
            for (Route route : routes) {
                perRoute.put(route.info.key(), routePoint(route, pools, byFunction));
            }
            point.put("routes", perRoute);
            synchronized (points) {
                if (points.size() == POINTS) {
                    points.removeFirst();
                }
                points.addLast(point);
            }
        } catch (SQLException e) {
            reconnect();
        }
    }

    private static Map<String, Object> routePoint(Route route, PoolsSnapshot pools, Map<String, Integer> byFunction) {
        boolean behindProxy = route.connections.proxied();
        int connections = route.connections.database(pools, byFunction);
        route.peakDatabaseConnections = Math.max(route.peakDatabaseConnections, connections);
        RouteMetrics metrics = route.metrics;
        long requests = metrics.requests();
        long errors = metrics.errors();
        long throttled = metrics.throttled();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("rps", requests - route.lastRequests);
        values.put("errors", errors - route.lastErrors);
        values.put("throttled", throttled - route.lastThrottled);
        values.put("db", connections);
        values.put("envs", route.function.metrics().environmentsAlive());
        values.put("clients", route.connections.clients(pools));
        values.put("pinned", behindProxy && pools != null ? pools.serverPinned() : null);
        route.lastRequests = requests;
        route.lastErrors = errors;
        route.lastThrottled = throttled;
        return values;
    }

    private void reconnect() {
        try {
            monitor.close();
            monitor = lab.monitorConnection();
        } catch (SQLException e) {
            // the server is away: the next sample tries again
        }
    }

    /** Starts over: no points, no peak, time from now. */
    synchronized void reset() {
        synchronized (points) {
            points.clear();
        }
        peakDatabaseConnections = 0;
        startNanos = System.nanoTime();
    }

    /** The /metrics document's per-route part. */
    static JsonObject routeJson(Route route) {
        RouteMetrics metrics = route.metrics;
        FunctionMetrics function = route.function.metrics();
        return new JsonObject()
                .put("id", route.info.id())
                .put("title", route.info.title())
                .put("note", route.info.note())
                .put("tryPath", route.info.tryPath())
                .put("target", route.connections.proxied() ? "proxy" : "direct")
                .put("reservedConcurrency", route.reservedConcurrency)
                .put("requests", metrics.requests())
                .put("ok", metrics.ok())
                .put("badRequests", metrics.badRequests())
                .put("errors", metrics.errors())
                .put("throttled", metrics.throttled())
                .put("statuses", metrics.statuses())
                .put("errorsByCause", metrics.errorsByCause())
                .put("peakDbConnections", route.peakDatabaseConnections)
                .put("environments", new JsonObject().put("alive", function.environmentsAlive())
                        .put("created", function.environmentsCreated()).put("busy", function.environmentsBusy())
                        .put("coldStarts", function.coldStarts()).put("timeouts", function.timeouts()));
    }

    List<Object> points() {
        synchronized (points) {
            return new ArrayList<>(points);
        }
    }

    @Override
    public void close() {
        try {
            monitor.close();
        } catch (SQLException e) {
            // closing
        }
    }
}
