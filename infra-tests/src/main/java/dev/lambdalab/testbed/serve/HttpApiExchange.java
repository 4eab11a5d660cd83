package dev.lambdalab.testbed.serve;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.sun.net.httpserver.HttpExchange;
import dev.lambdalab.testbed.apigw.HttpApiEvents;
import dev.lambdalab.testbed.apigw.HttpApiGateway;
import dev.lambdalab.testbed.apigw.QueryStrings;
import dev.lambdalab.testbed.lambda.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP side of API Gateway's HTTP API in front of a function: an HTTP request becomes a payload 2.0 event
 * (headers lower-cased, query parameters decoded, repeated ones joined with commas), and the function's answer
 * becomes the HTTP response. Bodies over 1 MiB are refused with 413, as the JDK's server would otherwise reset
 * the connection.
 */
final class HttpApiExchange {

    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** API Gateway's own payload limit: what is read (and dropped) of a body too large before answering 413. */
    private static final long DRAIN_LIMIT_BYTES = 10L * 1024 * 1024;

    private HttpApiExchange() {
    }

    /** The request as the event an HTTP API gives the function, or empty when the body is too large. */
    static Optional<APIGatewayV2HTTPEvent> event(HttpExchange exchange, String routePath) throws IOException {
        Optional<byte[]> body = body(exchange, MAX_BODY_BYTES);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                String.join(",", values)));
        return Optional.of(HttpApiEvents.request("GET", routePath, query(exchange.getRequestURI().getRawQuery()),
                headers, body.get().length == 0 ? null : new String(body.get(), StandardCharsets.UTF_8)));
    }

    /**
     * The request's body, or empty when it is larger than {@code max} bytes. The rest (up to 10 MiB) is read before
     * answering 413: the JDK's server drains only 64 KB when the stream closes, and closing a socket with unread bytes
     * makes the kernel reset the connection, so the client could lose the answer.
     */
    static Optional<byte[]> body(HttpExchange exchange, int max) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length <= max) {
                return Optional.of(body);
            }
            byte[] discard = new byte[64 * 1024];
            long drained = 0;
            int read;
            while (drained < DRAIN_LIMIT_BYTES && (read = in.read(discard)) > 0) {
                drained += read;
            }
            return Optional.empty();
        }
    }

    /** Sends the function's answer, with the environment that gave it in {@code x-lambda-environment}. */
    static void respond(HttpExchange exchange, Invocation invocation, HttpApiGateway.Answer answer) throws IOException {
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
        QueryStrings.parse(rawQuery).forEach((name, values) -> parameters.put(name, String.join(",", values)));
        return parameters;
    }

    /** A response of the server's own (the page, the metrics, a 404), never cached. */
    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", contentType);
        exchange.getResponseHeaders().set("cache-control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
