package dev.lambdalab.testbed.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.db.LabDatabase;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.FunctionMetrics;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.HttpApiEvents;
import dev.lambdalab.testbed.load.HttpApiGateway;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.scenario.TestBed;
import dev.lambdalab.testbed.scenario.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP API over the emulated functions, routed as template.yaml's HTTP API is ({@code GET /broken},
 * {@code GET /fixed}), so real load tools (autocannon, wrk, hey) can hit the reproduction; plus a live page
 * ({@code /}), its data ({@code GET /metrics}) and a way to start over ({@code POST /reset}).
 *
 * <p>Built on the JDK's own HTTP server: no dependency, HTTP/1.1 with keep-alive, and a thread per request
 * in flight, which is what the emulator's blocking invocations need anyway.
 */
public final class LabServer implements AutoCloseable {

    /** The default port, the one {@code sam local start-api} uses. */
    public static final int DEFAULT_PORT = 3000;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final long DRAIN_LIMIT_BYTES = 10L * 1024 * 1024;
    private static final int SERIES_POINTS = 600;

    private final TestBed testBed;
    private int port = DEFAULT_PORT;
    private Duration timeout; // null: the function's own (the template's, else the emulator's 15 s)
    private Integer fixedReservedConcurrency;
    private Integer brokenReservedConcurrency;
    private ProxySettings proxySettings = ProxySettings.DEFAULTS.withMaxClientConnections(1000);
    private boolean useProxy = true;

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final ArrayDeque<Map<String, Object>> series = new ArrayDeque<>();
    private HttpServer http;
    private ExecutorService requestThreads;
    private ScheduledExecutorService sampler;
    private Connection monitor;
    private Proxy proxy;
    private long startNanos;
    private volatile int peakDatabaseConnections;

    /** One route: its variant, its function and its counters. */
    private static final class Route {
        final Variant variant;
        volatile EmulatedFunction function;
        volatile RouteMetrics metrics = new RouteMetrics();
        long lastRequests;
        long lastErrors;
        long lastThrottled;
        int peakDatabaseConnections;

        Route(Variant variant) {
            this.variant = variant;
        }
    }

    public LabServer(TestBed testBed) {
        this.testBed = Objects.requireNonNull(testBed, "testBed");
    }

    /** The port on 127.0.0.1; 0 picks a free one. */
    public LabServer withPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        this.port = port;
        return this;
    }

    public LabServer withTimeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** Reserved concurrency of the fixed function (none by default: autocannon -c 100 should see no 429). */
    public LabServer withFixedReservedConcurrency(Integer reserved) {
        this.fixedReservedConcurrency = reserved;
        return this;
    }

    public LabServer withBrokenReservedConcurrency(Integer reserved) {
        this.brokenReservedConcurrency = reserved;
        return this;
    }

    public LabServer withProxy(ProxySettings settings) {
        this.proxySettings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /** The fixed route goes straight to the database, without the proxy. */
    public LabServer withoutProxy() {
        this.useProxy = false;
        return this;
    }

    /** Starts the proxy (when available and wanted), the two functions and the HTTP server. */
    public LabServer start() {
        if (useProxy && testBed.proxyAvailable()) {
            proxy = testBed.startProxy(proxySettings);
        }
        for (Variant variant : Variant.pair()) {
            Route route = new Route(variant);
            route.function = newFunction(variant);
            routes.put(variant.path(), route);
        }
        try {
            monitor = testBed.lab().monitorConnection();
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
        startNanos = System.nanoTime();
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "serve-sampler");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        http.start();
        return this;
    }

    private EmulatedFunction newFunction(Variant variant) {
        Proxy target = variant == Variant.FIXED ? proxy : null;
        EmulatedFunction function = testBed.function(variant, testBed.environment(target, Map.of()));
        if (timeout != null) {
            function.withTimeout(timeout);
        }
        Integer reserved = variant == Variant.FIXED ? fixedReservedConcurrency : brokenReservedConcurrency;
        if (reserved != null) {
            function.withReservedConcurrency(reserved);
        }
        return function;
    }

    /** The port it listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Whether the fixed route goes through the proxy. */
    public boolean proxied() {
        return proxy != null;
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Route route = routes.get(path);
            if (route != null && method.equals("GET")) {
                invoke(exchange, route);
            } else if (path.equals("/") && method.equals("GET")) {
                send(exchange, 200, "text/html; charset=utf-8", page());
            } else if (path.equals("/metrics") && method.equals("GET")) {
                send(exchange, 200, "application/json", metricsJson());
            } else if (path.equals("/reset") && method.equals("POST")) {
                reset();
                send(exchange, 200, "application/json", "{\"reset\":true}");
            } else {
                // What an HTTP API answers for a route it does not have.
                send(exchange, 404, "application/json", "{\"message\":\"Not Found\"}");
            }
        } catch (RuntimeException e) {
            // The test bed's own failure, never the function's: say so plainly.
            send(exchange, 500, "application/json", new JsonObject().put("message", "test bed error")
                    .put("error", String.valueOf(e.getMessage())).toString());
        }
    }

    private void invoke(HttpExchange exchange, Route route) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                // Read the rest (up to 10 MiB, API Gateway's own payload limit) before answering 413: the JDK's
                // server drains only 64 KB when the stream closes, and closing a socket with unread bytes makes the
                // kernel reset the connection, so the client could lose the answer.
                byte[] discard = new byte[64 * 1024];
                long drained = 0;
                int read;
                while (drained < DRAIN_LIMIT_BYTES && (read = in.read(discard)) > 0) {
                    drained += read;
                }
            }
        }
        if (body.length > MAX_BODY_BYTES) {
            send(exchange, 413, "application/json", "{\"message\":\"Request Entity Too Large\"}");
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                String.join(",", values)));
        long start = System.nanoTime();
        Invocation invocation = route.function.invoke(HttpApiEvents.request("GET", route.variant.path(),
                query(exchange.getRequestURI().getRawQuery()), headers,
                body.length == 0 ? null : new String(body, StandardCharsets.UTF_8)));
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        route.metrics.record(RequestRecord.of(invocation, answer,
                (start - startNanos) / 1_000_000, (System.nanoTime() - start) / 1000));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        if (invocation.environmentId() != null) {
            exchange.getResponseHeaders().set("x-lambda-environment", invocation.environmentId());
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Query parameters as API Gateway passes them: decoded, repeated ones joined with commas. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.merge(name, value, (first, second) -> first + "," + second);
        }
        return parameters;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text; // malformed escapes reach the handler as they are, which answers 400
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", contentType);
        exchange.getResponseHeaders().set("cache-control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Starts over: ends every environment of both functions (closing their connections), ends whatever
     * the application role still holds, and zeroes the counters.
     */
    public synchronized void reset() {
        for (Route route : routes.values()) {
            EmulatedFunction old = route.function;
            route.function = newFunction(route.variant);
            route.metrics = new RouteMetrics();
            route.lastRequests = 0;
            route.lastErrors = 0;
            route.lastThrottled = 0;
            route.peakDatabaseConnections = 0;
            old.close();
        }
        testBed.resetConnections();
        synchronized (series) {
            series.clear();
        }
        peakDatabaseConnections = 0;
        startNanos = System.nanoTime();
    }

    /** Once a second: connections per route, proxy clients, environments, request and error rates. */
    private synchronized void sample() {
        try {
            Map<String, Integer> byFunction = databaseConnectionsByFunction();
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
            point.put("t", (System.nanoTime() - startNanos) / 1_000_000_000.0);
            point.put("db", total);
            Map<String, Object> perRoute = new LinkedHashMap<>();
            for (Route route : routes.values()) {
                // Behind the proxy its own count of server connections is the route's truth;
                // straight to the database, the connections that carry the function's name.
                int connections = route.variant == Variant.FIXED && proxy != null
                        ? (pools == null ? 0 : pools.servers())
                        : byFunction.getOrDefault("lab-" + route.variant.label(), 0);
                route.peakDatabaseConnections = Math.max(route.peakDatabaseConnections, connections);
                RouteMetrics metrics = route.metrics;
                long requests = metrics.requests();
                long errors = metrics.errors();
                long throttled = metrics.throttled();
                FunctionMetrics function = route.function.metrics();
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("rps", requests - route.lastRequests);
                values.put("errors", errors - route.lastErrors);
                values.put("throttled", throttled - route.lastThrottled);
                values.put("db", connections);
                values.put("envs", function.environmentsAlive());
                values.put("clients", route.variant == Variant.FIXED && pools != null ? pools.clients() : null);
                values.put("pinned", route.variant == Variant.FIXED && pools != null ? pools.serverPinned() : null);
                route.lastRequests = requests;
                route.lastErrors = errors;
                route.lastThrottled = throttled;
                perRoute.put(route.variant.path(), values);
            }
            point.put("routes", perRoute);
            synchronized (series) {
                if (series.size() == SERIES_POINTS) {
                    series.removeFirst();
                }
                series.addLast(point);
            }
        } catch (SQLException e) {
            reconnectMonitor();
        }
    }

    /**
     * Connections of the application role by function, from application_name ({@code lab-fixed:ENV}). A
     * backend still starting (or being refused at the role's limit) may not show its name yet: it counts in
     * the total only.
     */
    private Map<String, Integer> databaseConnectionsByFunction() throws SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (PreparedStatement statement = monitor.prepareStatement(
                "SELECT split_part(application_name, ':', 1), count(*) FROM pg_stat_activity"
                        + " WHERE usename = ? AND backend_type = 'client backend' GROUP BY 1")) {
            statement.setString(1, LabDatabase.APP_ROLE);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return counts;
    }

    private void reconnectMonitor() {
        try {
            monitor.close();
            monitor = testBed.lab().monitorConnection();
        } catch (SQLException e) {
            // the server is away: the next sample tries again
        }
    }

    /** The page's data: configuration, counters per route, and the last ten minutes, one point a second. */
    public String metricsJson() {
        JsonObject json = new JsonObject()
                .put("uptimeSeconds", (System.nanoTime() - startNanos) / 1_000_000_000.0)
                .put("roleConnectionLimit", testBed.lab().appConnectionLimit())
                .put("peakDbConnections", peakDatabaseConnections)
                .put("proxy", proxy == null ? null : new JsonObject()
                        .put("kind", proxy.kind().label())
                        .put("databaseConnections", proxy.poolSize())
                        .put("maxClientConnections", proxy.maxClientConnections())
                        .put("connectionBorrowTimeoutSeconds", proxySettings.connectionBorrowTimeout().toSeconds()));
        JsonObject perRoute = new JsonObject();
        for (Route route : routes.values()) {
            RouteMetrics metrics = route.metrics;
            FunctionMetrics function = route.function.metrics();
            perRoute.put(route.variant.path(), new JsonObject()
                    .put("variant", route.variant.label())
                    .put("target", route.variant == Variant.FIXED && proxy != null ? "proxy" : "direct")
                    .put("reservedConcurrency", route.variant == Variant.FIXED ? fixedReservedConcurrency
                            : brokenReservedConcurrency)
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
                            .put("coldStarts", function.coldStarts()).put("timeouts", function.timeouts())));
        }
        json.put("routes", perRoute);
        List<Object> points;
        synchronized (series) {
            points = new ArrayList<>(series);
        }
        return json.put("series", points).toString();
    }

    private static String page() {
        try (InputStream in = LabServer.class.getResourceAsStream("page.html")) {
            if (in == null) {
                throw new IllegalStateException("page.html is missing from the test bed's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the HTTP server, the functions and the proxy (the test bed's server is its owner's to close). */
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
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (monitor != null) {
            try {
                monitor.close();
            } catch (SQLException e) {
                // closing
            }
        }
    }
}
