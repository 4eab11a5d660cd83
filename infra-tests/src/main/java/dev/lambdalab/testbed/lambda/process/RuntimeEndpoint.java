package dev.lambdalab.testbed.lambda.process;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Runtime API of one execution environment, behind a {@link RuntimeApiServer}:
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next}: a long poll; answers with the event as the body
 *       and the headers Lambda sends ({@code Lambda-Runtime-Aws-Request-Id}, {@code -Deadline-Ms},
 *       {@code -Invoked-Function-Arn}, {@code -Trace-Id}, and {@code -Client-Context} and
 *       {@code -Cognito-Identity} when the invocation has them).</li>
 *   <li>{@code POST .../invocation/{id}/response} and {@code .../invocation/{id}/error}: 202.</li>
 *   <li>{@code POST /2018-06-01/runtime/init/error}: 202; the runtime exits after it.</li>
 *   <li>SnapStart: {@code GET /2018-06-01/runtime/restore/next}, which the runtime client calls in
 *       {@code snap-start} init once its {@code beforeCheckpoint} hooks ran, and which returns in each
 *       restored copy, whose client then runs the {@code afterRestore} hooks
 *       ({@code AWSLambda.onInitComplete} in aws-lambda-java-runtime-interface-client); and
 *       {@code POST .../restore/error} when one of those hooks threw.</li>
 * </ul>
 *
 * <p>On Managed Instances the runtime client polls {@code invocation/next} from several threads at once, one per
 * AWS_LAMBDA_MAX_CONCURRENCY (its {@code AWSLambda.startRuntimeLoops}; each thread has its own connection, the
 * native client keeps one curl handle per thread): each waiting poll takes the next event, and an answer is
 * accepted for any invocation in progress, by its request id.
 *
 * <p>Every answer is HTTP/1.1 with a Content-Length: the runtime client's native HTTP layer crashes the
 * JVM (SIGSEGV) on an HTTP/1.0 answer or one without a length, so the JDK server is always given the
 * body's length up front.
 */
public final class RuntimeEndpoint {

    /** What the environment is told about its runtime. */
    interface Listener {
        /** The runtime asked for its next event: it finished init, or its last invocation. */
        void runtimeWaiting();

        /** The runtime's answer to the invocation in progress. */
        void response(String requestId, String body);

        /** The runtime's error for the invocation in progress. */
        void invocationError(String requestId, String errorType, String body);

        /** The runtime failed its init (including a {@code beforeCheckpoint} hook). */
        void initError(String errorType, String body);

        /**
         * The runtime called {@code restore/next}. True: answer now (a restored copy, or hooks only, where the
         * restore is simulated); false: leave it waiting, as the environment about to be snapshotted does.
         */
        default boolean restoreRequested() {
            return true;
        }

        /** An {@code afterRestore} hook threw; the runtime exits after it. */
        default void restoreError(String errorType, String body) {
            initError(errorType, body);
        }
    }

    /** One event for the runtime. */
    record Event(String requestId, String body, long deadlineEpochMillis, String functionArn, String traceId,
            String clientContext, String cognitoIdentity) {
        Event {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(body, "body");
        }
    }

    private static final String PREFIX = RuntimeApiServer.PREFIX;
    private static final Pattern INVOCATION = Pattern.compile(
            "/2018-06-01/runtime/invocation/([A-Za-z0-9-]{1,64})/(response|error)");
    /** Handed to a waiting poll when the environment ends, so that its thread returns. */
    private static final Event CLOSED = new Event("-", "", 0, "", "", null, null);

    private final Listener listener;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Object parked = new Object();
    /** Request ids handed to the runtime and not answered yet (one at a time on classic Lambda). */
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    RuntimeEndpoint(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Queues an event; the runtime's pending (or next) poll receives it. */
    void dispatch(Event event) {
        events.add(event);
    }

    /** The environment is gone: a waiting poll or restore returns without an answer. */
    void close() {
        closed = true;
        events.add(CLOSED);
        synchronized (parked) {
            parked.notifyAll();
        }
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) && path.equals(PREFIX + "invocation/next")) {
                next(exchange);
                return;
            }
            if ("GET".equals(method) && path.equals(PREFIX + "restore/next")) {
                restoreNext(exchange);
                return;
            }
            if ("POST".equals(method) && (path.equals(PREFIX + "init/error") || path.equals(PREFIX + "restore/error"))) {
                String body = body(exchange);
                String type = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
                // Recorded before the answer: the runtime client exits as soon as it has it, and the process's exit
                // must not overtake the error it reported (else every init error would read "Runtime exited").
                if (path.endsWith("init/error")) {
                    listener.initError(type, body);
                } else {
                    listener.restoreError(type, body);
                }
                send(exchange, 202, "{\"status\":\"OK\"}");
                return;
            }
            Matcher invocation = INVOCATION.matcher(path);
            if ("POST".equals(method) && invocation.matches()) {
                String requestId = invocation.group(1);
                String body = body(exchange);
                if (!inProgress.remove(requestId)) {
                    send(exchange, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
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

    private void restoreNext(HttpExchange exchange) throws IOException {
        if (listener.restoreRequested()) {
            send(exchange, 200, "");
            return;
        }
        // The environment is being snapshotted: the request stays unanswered in it, as in Lambda, where each
        // copy's runtime gets the answer after its restore.
        synchronized (parked) {
            while (!closed) {
                try {
                    parked.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
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
        if (event == CLOSED) {
            return;
        }
        inProgress.add(event.requestId());
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

    static void send(HttpExchange exchange, int status, String body) throws IOException {
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
}
