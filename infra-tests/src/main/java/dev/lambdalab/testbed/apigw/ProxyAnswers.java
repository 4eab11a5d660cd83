package dev.lambdalab.testbed.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.lambda.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What API Gateway answers for a Lambda proxy integration's invocation ("Output format of a Lambda function for
 * proxy integration"; for HTTP APIs "Lambda function response for format 2.0"):
 *
 * <ul>
 *   <li>An answer with {@code statusCode}: that status, its headers, multiValueHeaders and cookies, and its body
 *       (decoded when {@code isBase64Encoded}).
 *   <li>Payload 2.0 only: any other JSON answer is the body of a 200, as {@code application/json}.
 *   <li>Payload 1.0 without a statusCode, or a function that threw, timed out or failed its init: REST APIs answer
 *       502 {@code {"message": "Internal server error"}}, HTTP APIs 500 {@code {"message":"Internal Server Error"}}.
 *   <li>A Lambda throttle: 429 here. API Gateway itself answers 500 for it; the test bed keeps throttles apart from
 *       errors so that a load tool's status counts show them (docs/your-function.md).
 * </ul>
 * A failure the gateway hides gets an {@code x-testbed-lambda-error} header with Lambda's error type.
 */
public final class ProxyAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The header that tells a caller what Lambda said when the gateway answers for it. */
    public static final String LAMBDA_ERROR_HEADER = "x-testbed-lambda-error";

    /**
     * An HTTP answer.
     *
     * @param status the status
     * @param headers the headers, each with its values
     * @param body the body's bytes
     */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private ProxyAnswers() {
    }

    /** The gateway's answer to an invocation through this route. */
    public static Answer answer(Invocation invocation, ApiRoute route) {
        return switch (invocation.outcome()) {
            case SUCCESS -> success(invocation.response(), route);
            case THROTTLED -> error(429, "Too Many Requests", invocation);
            default -> gatewayError(route, invocation);
        };
    }

    private static Answer success(Object response, ApiRoute route) {
        if (response instanceof APIGatewayV2HTTPResponse proxy && proxy.getStatusCode() > 0) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            if (proxy.getMultiValueHeaders() != null) {
                proxy.getMultiValueHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
            }
            if (proxy.getHeaders() != null) {
                proxy.getHeaders().forEach((name, value) -> headers.put(name, new ArrayList<>(List.of(value))));
            }
            if (proxy.getCookies() != null && !proxy.getCookies().isEmpty()) {
                headers.put("set-cookie", new ArrayList<>(proxy.getCookies()));
            }
            String body = proxy.getBody() == null ? "" : proxy.getBody();
            return new Answer(proxy.getStatusCode(), headers, proxy.getIsBase64Encoded()
                    ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8));
        }
        if (route.payloadVersion().equals("2.0") && response instanceof String text && isJson(text)) {
            // "If your function returns valid JSON and doesn't return a statusCode, API Gateway assumes 200"
            JsonNode tree = readTree(text);
            String body = tree != null && tree.isTextual() ? tree.asText() : text;
            return new Answer(200, Map.of("content-type", List.of("application/json")),
                    body.getBytes(StandardCharsets.UTF_8));
        }
        return new Answer(route.kind() == ApiRoute.Kind.REST_API ? 502 : 500,
                Map.of("content-type", List.of("application/json"), LAMBDA_ERROR_HEADER,
                        List.of("MalformedProxyResponse")), message(route).getBytes(StandardCharsets.UTF_8));
    }

    private static Answer gatewayError(ApiRoute route, Invocation invocation) {
        return error(route.kind() == ApiRoute.Kind.REST_API ? 502 : 500, null, invocation, route);
    }

    private static Answer error(int status, String message, Invocation invocation) {
        return error(status, message, invocation, null);
    }

    private static Answer error(int status, String message, Invocation invocation, ApiRoute route) {
        String body = message != null ? new JsonObject().put("message", message).toString() : message(route);
        return new Answer(status, Map.of("content-type", List.of("application/json"), LAMBDA_ERROR_HEADER,
                List.of(invocation.outcome().name() + (invocation.errorType() == null ? "" : ": "
                        + invocation.errorType()))), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String message(ApiRoute route) {
        return route.kind() == ApiRoute.Kind.REST_API ? "{\"message\": \"Internal server error\"}"
                : "{\"message\":\"Internal Server Error\"}";
    }

    private static boolean isJson(String text) {
        return readTree(text) != null;
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
