package dev.lambdalab.testbed.serve;

import com.sun.net.httpserver.HttpExchange;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.apigw.ApiRoute;
import dev.lambdalab.testbed.apigw.ProxyAnswers;
import dev.lambdalab.testbed.apigw.ProxyEvents;
import dev.lambdalab.testbed.apigw.RouteTable;
import dev.lambdalab.testbed.app.AppOutcomes;
import dev.lambdalab.testbed.app.LocalApp;
import dev.lambdalab.testbed.lambda.EmulatedFunction;
import dev.lambdalab.testbed.lambda.Invocation;
import dev.lambdalab.testbed.load.RequestRecord;
import dev.lambdalab.testbed.proxy.PoolsSnapshot;
import dev.lambdalab.testbed.proxy.Proxy;
import dev.lambdalab.testbed.stack.AppFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's template served like {@code sam local start-api}: every function at the routes of its HttpApi and Api
 * events (methods, path variables and payload formats as the events define them), under the emulator's scaling
 * rules, with the live page and {@code /metrics} per function. Functions are also reachable through Lambda's Invoke
 * API path ({@code POST /2015-03-31/functions/NAME/invocations}), as {@code sam local start-lambda} serves it, so that
 * functions without an API event can be driven too ({@code aws lambda invoke --endpoint-url}).
 */
public final class AppServer extends LiveServer {

    /** Lambda's synchronous invocation payload limit: 6 MB. */
    static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
    private static final Pattern INVOKE_PATH = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations");

    private final LocalApp app;
    private final RouteTable<String> table = new RouteTable<>();
    private final Map<String, FunctionWatch> watches = new LinkedHashMap<>();

    public AppServer(LocalApp app) {
        super(Objects.requireNonNull(app, "app").database());
        this.app = app;
    }

    /** The port on 127.0.0.1; 0 picks a free one. */
    public AppServer withPort(int port) {
        port(port);
        return this;
    }

    public AppServer start() {
        startServing();
        return this;
    }

    @Override
    protected void addRoutes() {
        for (Map.Entry<String, EmulatedFunction> entry : app.functions().entrySet()) {
            String id = entry.getKey();
            AppFunction spec = app.spec(id);
            spec.routes().forEach(route -> table.add(route, id));
            FunctionWatch watch = new FunctionWatch(app.databasePorts());
            watches.put(id, watch);
            String routeKeys = spec.routes().isEmpty() ? "no API event" : String.join(", ",
                    spec.routes().stream().map(ApiRoute::routeKey).toList());
            String tryPath = spec.routes().isEmpty() ? invokePath(id) : spec.routes().get(0).examplePath();
            route(new RouteInfo(id, id.replaceAll("[^A-Za-z0-9_-]", "_"), id + ": " + routeKeys, app.describe(id)
                    + (app.usesProxy(id) ? ", through the RDS Proxy emulator" : ", straight to the database"),
                    tryPath), connections(id, watch), spec.reservedConcurrency().isPresent()
                    ? spec.reservedConcurrency().getAsInt() : null, entry.getValue());
        }
    }

    /** Proxied: the proxy's database connections (shared by its functions), the function's own as its clients. */
    private RouteConnections connections(String id, FunctionWatch watch) {
        boolean proxied = app.usesProxy(id);
        return new RouteConnections() {
            @Override
            public boolean proxied() {
                return proxied;
            }

            @Override
            public int database(PoolsSnapshot pools, Map<String, Integer> byApplicationName) {
                int own = watch.sample(function(id));
                return proxied ? (pools == null ? 0 : pools.servers()) : own;
            }

            @Override
            public Integer clients(PoolsSnapshot pools) {
                return proxied ? watch.connections() : null;
            }
        };
    }

    @Override
    protected Proxy proxy() {
        return app.proxy().orElse(null);
    }

    /** Lambda's Invoke API path of a function, as {@code sam local start-lambda} serves it. */
    public static String invokePath(String function) {
        return "/2015-03-31/functions/" + function + "/invocations";
    }

    @Override
    protected boolean serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        Matcher invoke = INVOKE_PATH.matcher(path);
        if (invoke.matches() && method.equals("POST")) {
            return invokeApi(exchange, invoke.group(1));
        }
        Optional<RouteTable.Match<String>> match = table.match(method, path);
        if (match.isEmpty()) {
            return false;
        }
        Optional<byte[]> body = HttpApiExchange.body(exchange, MAX_PAYLOAD_BYTES);
        if (body.isEmpty()) {
            send(exchange, 413, "application/json", "{\"message\":\"Request Entity Too Large\"}");
            return true;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                new ArrayList<>(values)));
        InetSocketAddress caller = exchange.getRemoteAddress();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        ProxyEvents.Request request = new ProxyEvents.Request(method, path, rawQuery == null ? "" : rawQuery, headers,
                body.get(), caller == null ? "127.0.0.1" : caller.getAddress().getHostAddress());
        String id = match.get().target();
        String event = ProxyEvents.event(request, match.get().route(), match.get().pathParameters());
        long start = System.nanoTime();
        Invocation invocation = function(id).invoke(event);
        ProxyAnswers.Answer answer = ProxyAnswers.answer(invocation, match.get().route());
        book(id, invocation, answer.status(), answer.bodyText(), start);
        respond(exchange, answer.status(), answer.headers(), answer.body(), invocation);
        return true;
    }

    /** Lambda's Invoke API: the event is the body; errors come back as Lambda sends them. */
    private boolean invokeApi(HttpExchange exchange, String name) throws IOException {
        if (!app.functions().containsKey(name)) {
            send(exchange, 404, "application/json", new JsonObject().put("Type", "User")
                    .put("message", "Function not found: " + name).toString());
            return true;
        }
        Optional<byte[]> body = HttpApiExchange.body(exchange, MAX_PAYLOAD_BYTES);
        if (body.isEmpty()) {
            send(exchange, 413, "application/json", "{\"Type\":\"User\",\"message\":\"Request must be smaller than"
                    + " 6291456 bytes for the InvokeFunction operation\"}");
            return true;
        }
        String event = body.get().length == 0 ? "{}" : new String(body.get(), StandardCharsets.UTF_8);
        long start = System.nanoTime();
        Invocation invocation = function(name).invoke(event);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("content-type", List.of("application/json"));
        int status;
        String payload;
        if (invocation.outcome() == Invocation.Outcome.THROTTLED) {
            status = 429;
            payload = new JsonObject().put("Type", "User").put("message", invocation.errorMessage()).toString();
        } else if (invocation.succeeded()) {
            status = 200;
            payload = AppOutcomes.responseText(invocation);
        } else {
            status = 200; // Lambda answers 200 and flags the function's error in a header
            headers.put("x-amz-function-error", List.of("Unhandled"));
            payload = new JsonObject().put("errorType", invocation.errorType())
                    .put("errorMessage", invocation.errorMessage()).toString();
        }
        book(name, invocation, invocation.succeeded() ? 200 : status == 429 ? 429 : 500, payload, start);
        respond(exchange, status, headers, payload.getBytes(StandardCharsets.UTF_8), invocation);
        return true;
    }

    private void book(String id, Invocation invocation, int status, String body, long start) {
        Optional<String> cause = AppOutcomes.failure(invocation, status, body, function(id).log());
        RequestRecord.Kind kind = invocation.outcome() == Invocation.Outcome.THROTTLED ? RequestRecord.Kind.THROTTLED
                : cause.isPresent() ? RequestRecord.Kind.ERROR : status >= 400 ? RequestRecord.Kind.BAD_REQUEST
                : RequestRecord.Kind.OK;
        record(id, new RequestRecord(millisSinceStart(start), (System.nanoTime() - start) / 1000, kind,
                cause.orElse(null), cause.orElse(null), status, invocation.environmentId(), 0, -1));
    }

    private static void respond(HttpExchange exchange, int status, Map<String, List<String>> headers, byte[] body,
            Invocation invocation) throws IOException {
        headers.forEach((name, values) -> exchange.getResponseHeaders().put(name, new ArrayList<>(values)));
        if (invocation.environmentId() != null) {
            exchange.getResponseHeaders().set("x-lambda-environment", invocation.environmentId());
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    protected void restartRoutes() {
        for (String id : new ArrayList<>(routeKeys())) {
            restart(id, app.restart(id));
        }
        app.database().terminateAppConnections();
    }

    @Override
    protected void describe(JsonObject json) {
        json.put("proxy", app.proxy().map(proxy -> new JsonObject()
                .put("kind", "RDS Proxy emulator")
                .put("databaseConnections", proxy.poolSize())
                .put("maxClientConnections", proxy.maxClientConnections())
                .put("connectionBorrowTimeoutSeconds", app.plan().template().proxy().orElseThrow()
                        .borrowTimeoutSeconds())).orElse(null));
    }

    /** The per-function figures behind the verdicts, sampled once a second. */
    FunctionWatch watch(String id) {
        return watches.get(id);
    }

    /** The function ids, in the template's order. */
    public List<String> functionIds() {
        return List.copyOf(watches.keySet());
    }

    /** The running app. */
    public LocalApp app() {
        return app;
    }

    /** One function's counters, for its verdict. */
    RouteMetrics metrics(String id) {
        return routeMetrics(id);
    }
}
