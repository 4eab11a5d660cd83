package dev.lambdalab.testbed.serve;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.TestBed;
import dev.lambdalab.testbed.Variant;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.proxy.ProxySettings;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The lab's HTTP API over its two functions, routed as template.yaml's HTTP API is ({@code GET /broken},
 * {@code GET /fixed}), with the live page of {@link LiveServer}.
 */
public final class LabServer extends LiveServer {

    private final TestBed testBed;
    private Duration timeout; // null: the function's own (the template's, else the emulator's 15 s)
    private Integer fixedReservedConcurrency;
    private Integer brokenReservedConcurrency;
    private ProxySettings proxySettings = ProxySettings.DEFAULTS.withMaxClientConnections(1000);
    private boolean useProxy = true;
    private final Map<String, Variant> variants = new LinkedHashMap<>();
    private Proxy proxy;

    public LabServer(TestBed testBed) {
        super(Objects.requireNonNull(testBed, "testBed").lab());
        this.testBed = testBed;
    }

    /** The port on 127.0.0.1; 0 picks a free one. */
    public LabServer withPort(int port) {
        port(port);
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
        startServing();
        return this;
    }

    @Override
    protected void addRoutes() {
        for (Variant variant : Variant.pair()) {
            variants.put(variant.path(), variant);
            route(info(variant), connections(variant), reservedConcurrency(variant), newFunction(variant));
        }
    }

    @Override
    protected Proxy proxy() {
        return proxy;
    }

    private static RouteInfo info(Variant variant) {
        return new RouteInfo(variant.path(), variant.label(), "GET " + variant.path(), variant == Variant.FIXED
                ? "one static pool of 1 per environment; add ?holdMs=50 to hold each connection longer"
                : "a new HikariCP pool (10 connections) per invocation; add ?holdMs=50 to hold each connection longer",
                variant.path());
    }

    /**
     * Behind the proxy the proxy's own count of server connections is the route's truth; straight to the database,
     * the connections that carry the function's name (the handlers set application_name).
     */
    private RouteConnections connections(Variant variant) {
        boolean behindProxy = variant == Variant.FIXED && proxy != null;
        return new RouteConnections() {
            @Override
            public boolean proxied() {
                return behindProxy;
            }

            @Override
            public int database(PoolsSnapshot pools, Map<String, Integer> byApplicationName) {
                return behindProxy ? (pools == null ? 0 : pools.servers())
                        : byApplicationName.getOrDefault("lab-" + variant.label(), 0);
            }

            @Override
            public Integer clients(PoolsSnapshot pools) {
                return behindProxy && pools != null ? pools.clients() : null;
            }
        };
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

    /** Whether the fixed route goes through the proxy. */
    public boolean proxied() {
        return proxy != null;
    }

    @Override
    protected boolean serve(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestURI().getPath();
        if (!variants.containsKey(key) || !exchange.getRequestMethod().equals("GET")) {
            return false;
        }
        Optional<APIGatewayV2HTTPEvent> event = HttpApiExchange.event(exchange, key);
        if (event.isEmpty()) {
            send(exchange, 413, "application/json", "{\"message\":\"Request Entity Too Large\"}");
            return true;
        }
        long start = System.nanoTime();
        Invocation invocation = function(key).invoke(event.get());
        HttpApiGateway.Answer answer = HttpApiGateway.answer(invocation);
        record(key, RequestRecord.of(invocation, answer, millisSinceStart(start), (System.nanoTime() - start) / 1000));
        HttpApiExchange.respond(exchange, invocation, answer);
        return true;
    }

    /**
     * Starts over: ends every environment of both functions (closing their connections), ends whatever
     * the application role still holds, and zeroes the counters.
     */
    @Override
    protected void restartRoutes() {
        for (String key : routeKeys()) {
            restart(key, newFunction(variants.get(key))).close();
        }
        testBed.resetConnections();
    }

    @Override
    protected void describe(JsonObject json) {
        json.put("proxy", proxy == null ? null : new JsonObject()
                .put("kind", proxy.kind().label())
                .put("databaseConnections", proxy.poolSize())
                .put("maxClientConnections", proxy.maxClientConnections())
                .put("connectionBorrowTimeoutSeconds", proxySettings.connectionBorrowTimeout().toSeconds()));
    }

    /** Stops the HTTP server, the functions and the proxy (the test bed's server is its owner's to close). */
    @Override
    public synchronized void close() {
        super.close();
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }
}
