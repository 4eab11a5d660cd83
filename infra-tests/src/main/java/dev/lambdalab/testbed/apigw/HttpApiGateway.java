package dev.lambdalab.testbed.apigw;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.lambdalab.db.JsonObject;
import dev.lambdalab.testbed.lambda.Invocation;
import java.util.Map;

/**
 * What an API Gateway HTTP API answers for an invocation of its Lambda integration: the handler's own
 * response when it returned, 429 when Lambda throttled, 500 when the function timed out, failed its init
 * or threw. API Gateway says only {@code Internal Server Error} there; the test bed adds the Lambda error's
 * type and message, so a reader sees why.
 */
public final class HttpApiGateway {

    private static final Map<String, String> JSON = Map.of("content-type", "application/json");

    private HttpApiGateway() {
    }

    /**
     * An HTTP answer.
     *
     * @param status the status code
     * @param headers response headers
     * @param body the body
     * @param lambdaError for a Lambda-level failure: {@code TIMEOUT}, {@code INIT_ERROR} or {@code FUNCTION_ERROR}
     */
    public record Answer(int status, Map<String, String> headers, String body, String lambdaError) {
    }

    public static Answer answer(Invocation invocation) {
        return switch (invocation.outcome()) {
            case SUCCESS -> {
                if (invocation.response() instanceof APIGatewayV2HTTPResponse response) {
                    Map<String, String> headers = response.getHeaders() == null ? JSON : response.getHeaders();
                    yield new Answer(response.getStatusCode(), headers, response.getBody() == null ? "" : response.getBody(),
                            null);
                }
                yield lambdaError(invocation, "FUNCTION_ERROR");
            }
            case THROTTLED -> new Answer(429, JSON, new JsonObject().put("message", "Too Many Requests")
                    .put("errorType", invocation.errorType()).put("errorMessage", invocation.errorMessage()).toString(), null);
            case TIMED_OUT -> lambdaError(invocation, "TIMEOUT");
            case INIT_ERROR -> lambdaError(invocation, "INIT_ERROR");
            case FUNCTION_ERROR -> lambdaError(invocation, "FUNCTION_ERROR");
        };
    }

    private static Answer lambdaError(Invocation invocation, String kind) {
        String body = new JsonObject().put("message", "Internal Server Error").put("lambdaError", kind)
                .put("errorType", invocation.errorType()).put("errorMessage", invocation.errorMessage()).toString();
        return new Answer(500, JSON, body, kind);
    }
}
