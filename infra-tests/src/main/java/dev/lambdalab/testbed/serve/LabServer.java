package dev.lambdalab.testbed.serve;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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

    private final TestBed testBed;
    private int port = DEFAULT_PORT;
    private Duration timeout; // null: the function's own (the template's, else the emulator's 15 s)
    private Integer fixedReservedConcurrency;
    private Integer brokenReservedConcurrency;
    private ProxySettings proxySettings = ProxySettings.DEFAULTS.withMaxClientConnections(1000);
    private boolean useProxy = true;

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private HttpServer http;
    private ExecutorService requestThreads;
    private ScheduledExecutorService sampler;
    private LiveSeries series;
    private Proxy proxy;

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
            routes.put(variant.path(), new Route(variant, reservedConcurrency(variant), newFunction(variant)));
        }
        try {
            series = new LiveSeries(testBed.lab());
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
        return this;
    }

    private EmulatedFunction newFunction(Variant variant) {
        Proxy target = variant == Variant.FIXED ? proxy : null;
        EmulatedFunction function = testBed.function(variant, testBed.environment(target, Map.of()));
        if (timeout != null) {
            function.withTimeout(timeout);
        }
        Integer reserved = reservedConcurrency(variant);
        if (reserved != null) {
            function.withReservedConcurrency(reserved);
        }
        return function;
    }

    private Integer reservedConcurrency(Variant variant) {
        return variant == Variant.FIXED ? fixedReservedConcurrency : brokenReservedConcurrency;
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
        Optional<APIGatewayV2HTTPEvent> event = HttpApiExchange.event(exchange, route.variant.path());
        if (event.isEmpty()) {
            send(exchange, 413, "application/json", "{\"message\":\"Request Entity Too Large\"}");
            return;
        }
        long start = System.nanoTime();
        Invocation invocation = route.function.invoke(event.get());
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        route.metrics.record(RequestRecord.of(invocation, answer, series.millisSinceStart(start),
                (System.nanoTime() - start) / 1000));
        HttpApiExchange.respond(exchange, invocation, answer);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        HttpApiExchange.send(exchange, status, contentType, body);
    }

    /**
     * Starts over: ends every environment of both functions (closing their connections), ends whatever
     * the application role still holds, and zeroes the counters.
     */
    public synchronized void reset() {
        for (Route route : routes.values()) {
            route.restart(newFunction(route.variant)).close();
        }
        testBed.resetConnections();
        series.reset();
    }

    /** Once a second: connections per route, proxy clients, environments, request and error rates. */
    private synchronized void sample() {
        series.sample(routes.values(), proxy);
    }

    /** The page's data: configuration, counters per route, and the last ten minutes, one point a second. */
    public String metricsJson() {
        JsonObject json = new JsonObject()
                .put("uptimeSeconds", series.uptimeSeconds())
                .put("roleConnectionLimit", testBed.lab().appConnectionLimit())
                .put("peakDbConnections", series.peakDatabaseConnections())
                .put("proxy", proxy == null ? null : new JsonObject()
                        .put("kind", proxy.kind().label())
                        .put("databaseConnections", proxy.poolSize())
                        .put("maxClientConnections", proxy.maxClientConnections())
                        .put("connectionBorrowTimeoutSeconds", proxySettings.connectionBorrowTimeout().toSeconds()));
        JsonObject perRoute = new JsonObject();
        for (Route route : routes.values()) {
            perRoute.put(route.variant.path(), LiveSeries.routeJson(route, proxy != null));
        }
        return json.put("routes", perRoute).put("series", series.points()).toString();
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
        if (series != null) {
            series.close();
        }
    }
}
