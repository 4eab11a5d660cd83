package dev.lambdalab.testbed.apigw;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The event API Gateway hands a Lambda proxy integration for a request, as JSON, in the route's payload format:
 * 2.0 for an HTTP API by default, 1.0 for a REST API or an HTTP API route that asks for it ("Working with AWS Lambda
 * proxy integrations for HTTP APIs", "Input format of a Lambda function for proxy integration"). Field by field:
 * 2.0 joins repeated headers and query parameters with commas and moves cookies to {@code cookies}; 1.0 keeps the
 * last value in {@code headers} and every value in {@code multiValueHeaders}. A body that is not text is
 * base64-encoded with {@code isBase64Encoded: true}.
 */
public final class ProxyEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    /**
     * A request as the gateway receives it.
     *
     * @param method the method, upper case
     * @param rawPath the path as sent
     * @param rawQuery the query string as sent, without '?', or empty
     * @param headers the headers, names lower-cased, values in order
     * @param body the body, empty when none
     * @param sourceIp the caller's address
     */
    public record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
            byte[] body, String sourceIp) {
    }

    private ProxyEvents() {
    }

    /** The event for a request that matched a route, in the route's payload format. */
    public static String event(Request request, ApiRoute route, Map<String, String> pathParameters) {
        return route.payloadVersion().equals("2.0") ? version2(request, route, pathParameters)
                : version1(request, route, pathParameters);
    }

    private static String version2(Request request, ApiRoute route, Map<String, String> pathParameters) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "2.0");
        root.put("routeKey", route.routeKey());
        root.put("rawPath", request.rawPath());
        root.put("rawQueryString", request.rawQuery());
        List<String> cookies = request.headers().getOrDefault("cookie", List.of()).stream()
                .flatMap(header -> List.of(header.split(";\\s*")).stream()).toList();
        if (!cookies.isEmpty()) {
            root.set("cookies", JSON.valueToTree(cookies));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, values) -> {
            if (!name.equals("cookie")) {
                headers.put(name, String.join(",", values));
            }
        });
        root.set("headers", JSON.valueToTree(headers));
        Map<String, List<String>> query = QueryStrings.parse(request.rawQuery());
        if (!query.isEmpty()) {
            Map<String, String> joined = new LinkedHashMap<>();
            query.forEach((name, values) -> joined.put(name, String.join(",", values)));
            root.set("queryStringParameters", JSON.valueToTree(joined));
        }
        ObjectNode context = root.putObject("requestContext");
        context.put("accountId", "000000000000");
        context.put("apiId", "testbed");
        context.put("domainName", headers.getOrDefault("host", "localhost"));
        context.put("domainPrefix", "testbed");
        ObjectNode http = context.putObject("http");
        http.put("method", request.method());
        http.put("path", request.rawPath());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", route.routeKey());
        context.put("stage", "$default");
        context.put("time", TIME.format(now));
        context.put("timeEpoch", now.toInstant().toEpochMilli());
        if (!pathParameters.isEmpty()) {
            root.set("pathParameters", JSON.valueToTree(pathParameters));
        }
        body(root, request);
        return root.toString();
    }

    private static String version1(Request request, ApiRoute route, Map<String, String> pathParameters) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        String resource = route.path().equals(ApiRoute.DEFAULT_ROUTE) ? "/" : route.path();
        root.put("resource", resource);
        root.put("path", request.rawPath());
        root.put("httpMethod", request.method());
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, values) -> headers.put(name, values.get(values.size() - 1)));
        root.set("headers", JSON.valueToTree(headers));
        root.set("multiValueHeaders", JSON.valueToTree(request.headers()));
        Map<String, List<String>> query = QueryStrings.parse(request.rawQuery());
        if (query.isEmpty()) {
            root.putNull("queryStringParameters");
            root.putNull("multiValueQueryStringParameters");
        } else {
            Map<String, String> last = new LinkedHashMap<>();
            query.forEach((name, values) -> last.put(name, values.get(values.size() - 1)));
            root.set("queryStringParameters", JSON.valueToTree(last));
            root.set("multiValueQueryStringParameters", JSON.valueToTree(query));
        }
        if (pathParameters.isEmpty()) {
            root.putNull("pathParameters");
        } else {
            root.set("pathParameters", JSON.valueToTree(pathParameters));
        }
        root.putNull("stageVariables");
        ObjectNode context = root.putObject("requestContext");
        context.put("accountId", "000000000000");
        context.put("apiId", "testbed");
        context.put("httpMethod", request.method());
        context.put("path", (route.kind() == ApiRoute.Kind.REST_API ? "/Prod" : "") + request.rawPath());
        context.put("protocol", "HTTP/1.1");
        context.put("requestId", UUID.randomUUID().toString());
        context.put("requestTime", TIME.format(now));
        context.put("requestTimeEpoch", now.toInstant().toEpochMilli());
        context.put("resourcePath", resource);
        context.put("stage", route.kind() == ApiRoute.Kind.REST_API ? "Prod" : "$default");
        context.putObject("identity").put("sourceIp", request.sourceIp()).put("userAgent",
                headers.getOrDefault("user-agent", ""));
        body(root, request);
        return root.toString();
    }

    /** The body: text as it is, anything else base64-encoded. */
    private static void body(ObjectNode root, Request request) {
        if (request.body().length == 0) {
            root.putNull("body");
            root.put("isBase64Encoded", false);
            return;
        }
        String type = request.headers().getOrDefault("content-type", List.of("")).get(0).toLowerCase(Locale.ROOT);
        boolean text = type.isEmpty() || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("x-www-form-urlencoded") || type.contains("javascript");
        root.put("body", text ? new String(request.body(), StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(request.body()));
        root.put("isBase64Encoded", !text);
    }
}
