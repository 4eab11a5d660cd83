package dev.lambdalab.testbed.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.Proxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP API over emulated functions, which real load tools (autocannon, wrk, hey) can hit, with a live page
 * ({@code /}), its data ({@code GET /metrics}) and a way to start over ({@code POST /reset}). Subclasses add the
 * routes: the lab's pair ({@link LabServer}) or a user's template ({@link AppServer}).
 *
 * <p>Built on the JDK's own HTTP server: no dependency, HTTP/1.1 with keep-alive, and a thread per request in flight,
 * which is what the emulator's blocking invocations need anyway.
 */
public abstract class LiveServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveServer.class);

    /** The default port, the one {@code sam local start-api} uses. */
    public static final int DEFAULT_PORT = 3000;

    private final LabDatabase database;
    private int port = DEFAULT_PORT;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private HttpServer http;
    private ExecutorService requestThreads;
    private ScheduledExecutorService sampler;
    private LiveSeries series;

    /** @param database the database whose application role's connections the page draws */
    protected LiveServer(LabDatabase database) {
        this.database = database;
    }

    /** The port on 127.0.0.1; 0 picks a free one. */
    protected void port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        this.port = port;
    }

    /** Adds the routes; called once by {@link #startServing()} before the server listens. */
    protected abstract void addRoutes();

    /** The proxy whose pools the sampler reads, or null. */
    protected abstract Proxy proxy();

    /**
     * Answers a request that is not the server's own page, metrics or reset.
     *
     * @return false when no route takes it (the server answers 404)
     */
    protected abstract boolean serve(HttpExchange exchange) throws IOException;

    /** Gives every route a new function, ends the old ones, and ends the role's leftover connections. */
    protected abstract void restartRoutes();

    /** The /metrics document's top-level fields besides the routes and the series. */
    protected abstract void describe(JsonObject json);

    /** Adds a route (from {@link #addRoutes}). */
    protected final void route(RouteInfo info, RouteConnections connections, Integer reservedConcurrency,
            EmulatedFunction function) {
        routes.put(info.key(), new Route(info, connections, reservedConcurrency, function));
    }

    /** The route with this key's current function. */
    final EmulatedFunction function(String key) {
        return routes.get(key).function;
    }

    /** Books a request of a route. */
    protected final void record(String key, RequestRecord record) {
        routes.get(key).metrics.record(record);
    }

    /** A route's counters since the start or last reset. */
    final RouteMetrics routeMetrics(String key) {
        return routes.get(key).metrics;
    }

    /** Replaces a route's function and zeroes its counters; returns the old function, for the caller to close. */
    protected final EmulatedFunction restart(String key, EmulatedFunction next) {
        return routes.get(key).restart(next);
    }

    protected final Collection<String> routeKeys() {
        return routes.keySet();
    }

    /** Milliseconds since the start or last reset, for a request's start time. */
    protected final long millisSinceStart(long nanos) {
        return series.millisSinceStart(nanos);
    }

    /** Starts the routes' functions and the HTTP server. */
    protected final void startServing() {
        addRoutes();
        try {
            series = new LiveSeries(database);
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        } catch (IOException | SQLException e) {
            close();
            throw new IllegalStateException("could not start the server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        // A thread per request in flight: an invocation blocks its caller, as a synchronous Lambda call does.
        requestThreads = new ThreadPoolExecutor(8, 4000, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "serve-request");
            thread.setDaemon(true);
            return thread;
        });
        http.setExecutor(requestThreads);
        http.createContext("/", this::dispatch);
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "serve-sampler");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        http.start();
    }

    /** The port it listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/") && method.equals("GET")) {
                send(exchange, 200, "text/html; charset=utf-8", page());
            } else if (path.equals("/metrics") && method.equals("GET")) {
                send(exchange, 200, "application/json", metricsJson());
            } else if (path.equals("/reset") && method.equals("POST")) {
                reset();
                send(exchange, 200, "application/json", "{\"reset\":true}");
            } else if (!serve(exchange)) {
                // What an HTTP API answers for a route it does not have.
                send(exchange, 404, "application/json", "{\"message\":\"Not Found\"}");
            }
        } catch (RuntimeException e) {
            // The test bed's own failure, never the function's: say so plainly.
            send(exchange, 500, "application/json", new JsonObject().put("message", "test bed error")
                    .put("error", String.valueOf(e.getMessage())).toString());
        }
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        HttpApiExchange.send(exchange, status, contentType, body);
    }

    /** Starts over: new functions for every route (the old ones' connections closed), zeroed counters. */
    public synchronized void reset() {
        restartRoutes();
        series.reset();
    }

    /** Once a second: connections per route, proxy clients, environments, request and error rates. */
    private synchronized void sample() {
        try {
            series.sample(routes.values(), proxy());
        } catch (RuntimeException e) {
            // One bad second (a proxy too busy to answer within a second, an environment ending while it is read)
            // must not stop the page: the scheduler would never run the sampler again.
            LOG.debug("sample skipped: {}", e.toString());
        }
    }

    /** The page's data: configuration, counters per route, and the last ten minutes, one point a second. */
    public String metricsJson() {
        JsonObject json = new JsonObject()
                .put("uptimeSeconds", series.uptimeSeconds())
                .put("role", database.names().appRole())
                .put("roleConnectionLimit", database.appConnectionLimit())
                .put("peakDbConnections", series.peakDatabaseConnections());
        describe(json);
        JsonObject perRoute = new JsonObject();
        for (Route route : routes.values()) {
            perRoute.put(route.info.key(), LiveSeries.routeJson(route));
        }
        return json.put("routes", perRoute).put("series", series.points()).toString();
    }

    /** The highest number of the role's database connections sampled since the start or last reset. */
    public int peakDatabaseConnections() {
        return series.peakDatabaseConnections();
    }

    /** A route's peak database connections, as sampled. */
    protected final int peakDatabaseConnections(String key) {
        return routes.get(key).peakDatabaseConnections;
    }

    private static String page() {
        try (InputStream in = LiveServer.class.getResourceAsStream("page.html")) {
            if (in == null) {
                throw new IllegalStateException("page.html is missing from the test bed's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the HTTP server and the routes' functions; subclasses close what they started after this. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            http = null;
        }
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (requestThreads != null) {
            requestThreads.shutdownNow();
        }
        for (Route route : routes.values()) {
            route.function.close();
        }
        routes.clear();
        if (series != null) {
            series.close();
        }
    }
}
