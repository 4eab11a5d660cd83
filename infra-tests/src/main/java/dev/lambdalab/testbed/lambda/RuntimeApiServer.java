package dev.lambdalab.testbed.lambda;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Runtime API, version 2018-06-01, for one execution environment, on a loopback port: what a
 * runtime (here AWS's Java runtime interface client) polls for its next event and posts its answer to.
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next}: a long poll; answers with the event as the body
 *       and the headers Lambda sends ({@code Lambda-Runtime-Aws-Request-Id}, {@code -Deadline-Ms},
 *       {@code -Invoked-Function-Arn}, {@code -Trace-Id}, and {@code -Client-Context} and
 *       {@code -Cognito-Identity} when the invocation has them).</li>
 *   <li>{@code POST .../invocation/{id}/response} and {@code .../invocation/{id}/error}: 202.</li>
 *   <li>{@code POST /2018-06-01/runtime/init/error}: 202; the runtime exits after it.</li>
 * </ul>
 *
 * <p>Every answer is HTTP/1.1 with a Content-Length: the runtime client's native HTTP layer crashes the
 * JVM (SIGSEGV) on an HTTP/1.0 answer or one without a length, so the JDK server is always given the
 * body's length up front.
 */
final class RuntimeApiServer implements AutoCloseable {

    /** What the environment is told about its runtime. */
    interface Listener {
        /** The runtime asked for its next event: it finished init, or its last invocation. */
        void runtimeWaiting();

        /** The runtime's answer to the invocation in progress. */
        void response(String requestId, String body);

        /** The runtime's error for the invocation in progress. */
        void invocationError(String requestId, String errorType, String body);

        /** The runtime failed its init. */
        void initError(String errorType, String body);
    }

    /** One event for the runtime. */
    record Event(String requestId, String body, long deadlineEpochMillis, String functionArn, String traceId,
            String clientContext, String cognitoIdentity) {
        Event {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(body, "body");
        }
    }

    static final String PREFIX = "/2018-06-01/runtime/";
    private static final Pattern INVOCATION = Pattern.compile(
            "/2018-06-01/runtime/invocation/([A-Za-z0-9-]{1,64})/(response|error)");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Listener listener;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile String inProgress;

    static {
        // The JDK server leaves Nagle's algorithm on unless told: headers and body then wait for the client's
        // delayed ACK, about 40 ms per answer. Read once, when the server implementation loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    RuntimeApiServer(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a Runtime API server: " + e.getMessage(), e);
        }
        // A thread per request: the long poll for the next event blocks its thread until there is one.
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "runtime-api-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** The value of AWS_LAMBDA_RUNTIME_API: {@code host:port}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Queues an event; the runtime's pending (or next) poll receives it. */
    void dispatch(Event event) {
        events.add(event);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) && path.equals(PREFIX + "invocation/next")) {
                next(exchange);
                return;
            }
            if ("POST".equals(method) && path.equals(PREFIX + "init/error")) {
                String body = body(exchange);
                listener.initError(exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"), body);
                send(exchange, 202, "{\"status\":\"OK\"}");
                return;
            }
            Matcher invocation = INVOCATION.matcher(path);
            if ("POST".equals(method) && invocation.matches()) {
                String requestId = invocation.group(1);
                String body = body(exchange);
                if (!requestId.equals(inProgress)) {
                    send(exchange, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                inProgress = null;
                send(exchange, 202, "{\"status\":\"OK\"}");
                if (invocation.group(2).equals("response")) {
                    listener.response(requestId, body);
                } else {
                    listener.invocationError(requestId,
                            exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"), body);
                }
                return;
            }
            send(exchange, 404, "{\"errorMessage\":\"Not found: " + method + " " + path.replace("\"", "")
                    + "\",\"errorType\":\"NotFound\"}");
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        listener.runtimeWaiting();
        Event event;
        try {
            event = events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the server is closing: the runtime's process is being killed
        }
        inProgress = event.requestId();
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("Lambda-Runtime-Aws-Request-Id", event.requestId());
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(event.deadlineEpochMillis()));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", event.functionArn());
        headers.set("Lambda-Runtime-Trace-Id", event.traceId());
        if (event.clientContext() != null) {
            headers.set("Lambda-Runtime-Client-Context", event.clientContext());
        }
        if (event.cognitoIdentity() != null) {
            headers.set("Lambda-Runtime-Cognito-Identity", event.cognitoIdentity());
        }
        send(exchange, 200, event.body());
    }

    private static String body(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        // Always a known length (never chunked, never HTTP/1.0-style close-delimited): see the class comment.
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
